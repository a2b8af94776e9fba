// The dashboard's views (qopc_kit/dashboard/view.py). Each draws its model's `value`, HTML
// rendered by the package's views, and on a new value changes only the nodes, attributes
// and texts that differ (a Tick moves a few cells: the rest of the map, the diagram and the
// log stay as they are in the page, with no re-layout of what did not change).
// A block map (a model with `selected` and `clicked`) also outlines the selected blocks and
// tells Python which cell was clicked or chosen with Enter or Space. Each volume's cells
// are one Tab stop; the arrow keys, Home and End move between them.

const CELL = ".qopc-cell[data-volume][data-block]";

// Make `into` look like `from` (a parsed template), keeping every node that can stay.
function morph(into, from) {
  if (into.nodeType !== from.nodeType || into.nodeName !== from.nodeName) {
    into.replaceWith(from.cloneNode(true));
    return;
  }
  if (into.nodeType !== Node.ELEMENT_NODE) {
    if (into.nodeValue !== from.nodeValue) into.nodeValue = from.nodeValue;
    return;
  }
  for (const { name } of [...into.attributes]) {
    if (!from.hasAttribute(name)) into.removeAttribute(name);
  }
  for (const { name, value } of from.attributes) {
    if (into.getAttribute(name) !== value) into.setAttribute(name, value);
  }
  morphChildren(into, from);
}

function morphChildren(into, from) {
  const wanted = from.childNodes;
  for (let i = 0; i < wanted.length; i++) {
    const have = into.childNodes[i];
    if (have === undefined) into.appendChild(wanted[i].cloneNode(true));
    else morph(have, wanted[i]);
  }
  while (into.childNodes.length > wanted.length) into.lastChild.remove();
}

function render({ model, el }) {
  el.classList.add("qopc-view-widget");
  const clickable = model.get("clicked") !== undefined;
  if (clickable) {
    el.classList.add("qopc-blockmap-widget");
    // The notebook's own shortcuts (arrow keys move between cells in JupyterLab and in
    // Notebook 7) must not see the keys pressed on the map: Lumino stops looking for a
    // shortcut at an element with this attribute.
    el.setAttribute("data-lm-suppress-shortcuts", "true");
  }

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
    const template = document.createElement("template");
    template.innerHTML = model.get("value");
    if (clickable) {
      // Selectable: a list box of options (the HTML itself says list and listitem).
      for (const list of template.content.querySelectorAll(".qopc-cells")) {
        list.setAttribute("role", "listbox");
        list.setAttribute("aria-multiselectable", "true");
      }
      for (const cell of template.content.querySelectorAll(CELL)) {
        cell.setAttribute("role", "option");
      }
    }
    morphChildren(el, template.content);
    if (clickable) mark();
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
    // Ours alone: Space would scroll the page.
    event.preventDefault();
    event.stopPropagation();
  }

  function onPress(event) {
    // A Shift-click extends the blocks chosen, not the page's text selection.
    if (event.shiftKey && event.target.closest(CELL) !== null) event.preventDefault();
  }

  model.on("change:value", draw);
  if (clickable) {
    el.addEventListener("mousedown", onPress);
    el.addEventListener("click", onClick);
    el.addEventListener("keydown", onKey);
    model.on("change:selected", mark);
  }
  draw();
  return () => {
    model.off("change:value", draw);
    if (clickable) {
      el.removeEventListener("mousedown", onPress);
      el.removeEventListener("click", onClick);
      el.removeEventListener("keydown", onKey);
      model.off("change:selected", mark);
    }
  };
}

export default { render };
