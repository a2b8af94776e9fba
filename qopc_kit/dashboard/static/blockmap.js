// The dashboard's block map (qopc_kit/panel_map.py): draws the map's HTML as it is, outlines
// the selected blocks, and tells Python which cell was clicked (or chosen with Enter or
// Space). Each volume's cells are one Tab stop; the arrow keys, Home and End move between them.

const CELL = ".qopc-cell[data-volume][data-block]";

function render({ model, el }) {
  el.classList.add("qopc-blockmap-widget");

  // Outline the selected blocks. In each volume's list one cell is the Tab stop: the first
  // selected one, else the first.
  function mark() {
    const { volume, first, last } = model.get("selected");
    for (const list of el.querySelectorAll(".qopc-cells")) {
      let stop = null;
      for (const cell of list.querySelectorAll(CELL)) {
        const block = Number(cell.dataset.block);
        const on = cell.dataset.volume === volume && block >= first && block <= last;
        cell.classList.toggle("qopc-selected", on);
        cell.setAttribute("aria-selected", String(on));
        cell.tabIndex = -1;
        if (stop === null || (on && !stop.classList.contains("qopc-selected"))) {
          stop = cell;
        }
      }
      if (stop !== null) stop.tabIndex = 0;
    }
  }

  function draw() {
    const focused = document.activeElement;
    const kept = el.contains(focused) && focused.matches(CELL)
      ? [focused.dataset.volume, focused.dataset.block] : null;
    el.innerHTML = model.get("value");
    // Selectable: a list box of options (the HTML itself says list and listitem).
    for (const list of el.querySelectorAll(".qopc-cells")) {
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-multiselectable", "true");
    }
    for (const cell of el.querySelectorAll(CELL)) cell.setAttribute("role", "option");
    mark();
    if (kept !== null) {  // a redraw keeps the keyboard's place
      [...el.querySelectorAll(CELL)]
        .find((cell) => cell.dataset.volume === kept[0] && cell.dataset.block === kept[1])
        ?.focus({ preventScroll: true });
    }
  }

  function pick(cell, extend) {
    const count = (model.get("clicked").count ?? 0) + 1;
    model.set("clicked", {
      volume: cell.dataset.volume, block: Number(cell.dataset.block), extend, count,
    });
    model.save_changes();
  }

  function onClick(event) {
    const cell = event.target.closest(CELL);
    if (cell === null || !el.contains(cell)) return;
    cell.focus({ preventScroll: true });
    pick(cell, event.shiftKey);
  }

  function onKey(event) {
    const cell = event.target.closest(CELL);
    if (cell === null || !el.contains(cell)) return;
    const row = [...cell.parentElement.querySelectorAll(CELL)];
    const at = row.indexOf(cell);
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: row.length - 1 }[event.key];
    if (event.key === "Enter" || event.key === " ") {
      pick(cell, event.shiftKey);
    } else if (to !== undefined && to >= 0 && to < row.length) {
      cell.tabIndex = -1;
      row[to].tabIndex = 0;
      row[to].focus();
    } else {
      return;
    }
    // Ours alone: Space would scroll, and JupyterLab's notebook shortcuts would act too.
    event.preventDefault();
    event.stopPropagation();
  }

  function onPress(event) {
    // A Shift-click extends the blocks chosen, not the page's text selection.
    if (event.shiftKey && event.target.closest(CELL) !== null) event.preventDefault();
  }

  el.addEventListener("mousedown", onPress);
  el.addEventListener("click", onClick);
  el.addEventListener("keydown", onKey);
  model.on("change:value", draw);
  model.on("change:selected", mark);
  draw();
  return () => {
    el.removeEventListener("mousedown", onPress);
    el.removeEventListener("click", onClick);
    el.removeEventListener("keydown", onKey);
    model.off("change:value", draw);
    model.off("change:selected", mark);
  };
}

export default { render };
