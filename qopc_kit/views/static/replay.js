// A replay page only shows and hides frames that Python drew; it computes no state.
(function () {
  "use strict";
  // The table is JSON, or gzip in base64 (a stored notebook's twin): unpacked by the
  // browser, so it arrives later; without DecompressionStream the opening frame stays alone.
  function table(element, then) {
    if (element.getAttribute("data-encoding") !== "base64") {
      then(JSON.parse(element.textContent));
      return;
    }
    if (typeof DecompressionStream === "undefined") { return; }
    var bytes = Uint8Array.from(atob(element.textContent.trim()), function (c) {
      return c.charCodeAt(0);
    });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    new Response(stream).text().then(function (text) { then(JSON.parse(text)); });
  }
  function start(root) {
    if (root.dataset.ready) { return; }
    root.dataset.ready = "1";
    table(root.querySelector(".qopc-data"), function (data) { run(root, data); });
  }
  function run(root, data) {
    var slider = root.querySelector(".qopc-slider");
    var play = root.querySelector(".qopc-play");
    var where = root.querySelector(".qopc-where");
    var timer = null;
    // The markup holds the opening frame only (what a reader without JavaScript sees); the
    // others are in the table, in order, with "" where the opening frame goes.
    var holder = root.querySelector(".qopc-frames");
    var opening = holder.querySelector(".qopc-frame");
    var frames = (data.sections || []).map(function (text) {
      if (text === "") { return opening; }
      var made = document.createElement("template");
      made.innerHTML = text;
      return made.content.firstElementChild;
    });
    if (frames.length === 0) { frames = [opening]; }
    frames.forEach(function (frame) { holder.appendChild(frame); });
    // What a reader without JavaScript sees: the diagrams as images, the frame's words open.
    if (data.style) { root.insertAdjacentHTML("afterbegin", data.style); }
    var still = root.querySelector(".qopc-still");
    if (still) { still.remove(); }
    var words = opening.querySelector("details");
    if (words) { words.open = false; }
    root.querySelectorAll(".qopc-controls, .qopc-keys").forEach(function (part) {
      part.hidden = false;
    });
    slider.disabled = false;
    play.disabled = false;
    var slots = {};
    root.querySelectorAll(".qopc-slot").forEach(function (slot) {
      slots[slot.getAttribute("data-slot")] = slot;
    });
    // A fragment is the pieces Python cut it into, joined back in order.
    function fragment(id) {
      var frag = data.frags[id];
      return frag[2].map(function (piece) { return data.pieces[piece]; }).join("");
    }
    function show(index) {
      index = Math.max(0, Math.min(frames.length - 1, index));
      var wanted = {};
      frames[index].getAttribute("data-show").split(" ").forEach(function (id) {
        if (id !== "") { var frag = data.frags[Number(id)]; wanted[frag[0] + " " + frag[1]] = id; }
      });
      Object.keys(slots).forEach(function (key) {
        var slot = slots[key];
        var id = wanted[key] || "";
        if (slot.getAttribute("data-frag") !== id) {
          slot.innerHTML = id === "" ? "" : fragment(Number(id));
          slot.setAttribute("data-frag", id);
        }
      });
      frames.forEach(function (frame, i) { frame.hidden = i !== index; });
      slider.value = String(index);
      slider.setAttribute("aria-valuetext", frames[index].getAttribute("data-title"));
      where.textContent = frames[index].getAttribute("data-title");
      root.dataset.frame = String(index);
    }
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "Play"; }
    }
    slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
    function keys(event) {
      if (event.target === slider) { return; }  // the slider moves itself
      if (event.key === "ArrowRight") { stop(); show(Number(slider.value) + 1); event.preventDefault(); }
      if (event.key === "ArrowLeft") { stop(); show(Number(slider.value) - 1); event.preventDefault(); }
    }
    root.addEventListener("keydown", keys);
    // On a page holding one replay, the keys work before anything has the focus too. The
    // count is taken at each key: while the page loads, a later replay is not there yet.
    document.addEventListener("keydown", function (event) {
      if (event.target === document.body &&
          document.querySelectorAll(".qopc-replay").length === 1) { keys(event); }
    });
    play.addEventListener("click", function () {
      if (timer !== null) { stop(); return; }
      if (Number(slider.value) >= frames.length - 1) { show(0); }
      play.textContent = "Pause";
      timer = setInterval(function () {
        var next = Number(slider.value) + 1;
        if (next >= frames.length) { stop(); } else { show(next); }
      }, 1200);
    });
    show(Number(root.getAttribute("data-start") || 0));
  }
  // Its own replay first: a front end may run an output's script before that output is
  // found from the document (each replay starts once, whichever script reaches it).
  var own = document.currentScript && document.currentScript.closest(".qopc-replay");
  if (own) { start(own); }
  document.querySelectorAll(".qopc-replay").forEach(start);
})();
