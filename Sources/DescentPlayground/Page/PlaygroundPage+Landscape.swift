extension PlaygroundPage {
    /// The landscape view: a test function's picture, optimizers racing from a start the user
    /// clicks, with play, pause, step and a slider over the steps. The paths come whole from
    /// `POST /api/optimize`; the page only animates them.
    static let landscapeScript = #"""
    // ---- Landscape view ----------------------------------------------------------------------
    const landscape = {
      functions: {},          // name → catalogue entry (dimension, start, minima, window)
      grid: null,             // GET /api/landscape for the current function
      result: [],             // the API's answer, one object per optimizer
      frame: 0,               // the step shown
      playing: false,
    };

    function landscapeSettings() {
      return {
        function: byId("l-function").value,
        start: byId("l-start").value.trim(),
        steps: byId("l-steps").value,
        schedule: byId("l-schedule").value.trim(),
        optimizers: Array.from(document.querySelectorAll("#l-optimizers input")).map(i => i.value.trim()).filter(s => s),
      };
    }

    function applyLandscapeSettings(settings) {
      if (settings.function && landscape.functions[settings.function]) byId("l-function").value = settings.function;
      const entry = landscape.functions[byId("l-function").value];
      byId("l-start").value = settings.start || entry.start.join(",");
      byId("l-steps").value = settings.steps || 100;
      byId("l-schedule").value = settings.schedule || "";
      byId("l-optimizers").replaceChildren();
      for (const spec of (settings.optimizers && settings.optimizers.length ? settings.optimizers : ["sgd(lr: 0.001)", "adam(lr: 0.1)"])) addOptimizerRow(spec);
    }

    function addOptimizerRow(spec) {
      const list = byId("l-optimizers"), index = list.children.length;
      const row = document.createElement("div");
      row.className = "row";
      row.innerHTML = `<span class="swatch" style="background:${PALETTE[index % PALETTE.length]}"></span><input type="text"><button class="plain" title="remove">×</button>`;
      row.querySelector("input").value = spec;
      row.querySelector("input").addEventListener("change", () => { saveState(); race(); });
      row.querySelector("button").addEventListener("click", () => { row.remove(); recolourOptimizerRows(); saveState(); race(); });
      list.appendChild(row);
    }

    function recolourOptimizerRows() {
      document.querySelectorAll("#l-optimizers .swatch").forEach((s, i) => { s.style.background = PALETTE[i % PALETTE.length]; });
    }

    /** Maps the function's coordinates to the picture's pixels and back. */
    function landscapeScale() {
      const entry = landscape.functions[byId("l-function").value], [wx] = entry.window, width = 600, height = 450;
      if (entry.dimension === 1) {
        const values = landscape.grid ? landscape.grid.values : [0, 1];
        const low = Math.min(...values), high = Math.max(...values), pad = (high - low) * 0.06;
        const wy = [low - pad, high + pad];
        return { entry, width, height, px: x => (x - wx[0]) / (wx[1] - wx[0]) * width, py: y => height - (y - wy[0]) / (wy[1] - wy[0]) * height,
                 fromPixel: (px) => [wx[0] + px / width * (wx[1] - wx[0])] };
      }
      const wy = entry.window[1];
      return { entry, width, height, px: x => (x - wx[0]) / (wx[1] - wx[0]) * width, py: y => height - (y - wy[0]) / (wy[1] - wy[0]) * height,
               fromPixel: (px, py) => [wx[0] + px / width * (wx[1] - wx[0]), wy[0] + (height - py) / height * (wy[1] - wy[0])] };
    }

    /** Pixel coordinates kept within a band around the picture (a diverging path leaves it, and SVG chokes on 1e300). */
    const clampPixel = v => Math.max(-5000, Math.min(5000, v));

    async function loadLandscape() {
      const name = byId("l-function").value, entry = landscape.functions[name];
      landscape.grid = await api("GET", `/api/landscape?function=${encodeURIComponent(name)}&size=${entry.dimension === 1 ? 200 : 120}`);
      drawHeat();
    }

    /** The function's picture: for 2-D, bands of log(f − min + 1) (a contour map); for the quartic, its curve (drawn in the SVG). */
    function drawHeat() {
      const canvas = byId("l-heat"), context = canvas.getContext("2d"), grid = landscape.grid;
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      if (!grid || grid.window.length === 1) return;
      const n = grid.size, values = grid.values.map(v => Number.isFinite(v) ? v : Number.MAX_VALUE);
      const low = Math.min(...values), logs = values.map(v => Math.log(v - low + 1)), top = Math.max(...logs) || 1;
      const cw = canvas.width / n, ch = canvas.height / n;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
        const t = logs[r * n + c] / top, band = Math.floor(t * 14);
        const light = 96 - t * 42 - (band % 2) * 4;
        context.fillStyle = `hsl(${210 - t * 170}, 55%, ${light}%)`;
        context.fillRect(Math.floor(c * cw), Math.floor(r * ch), Math.ceil(cw), Math.ceil(ch));
      }
    }

    async function race() {
      setText("l-error", "");
      const settings = landscapeSettings(), entry = landscape.functions[settings.function];
      const body = { function: settings.function, start: settings.start || entry.start.join(","), steps: Number(settings.steps), optimizers: settings.optimizers };
      if (settings.schedule) body.schedule = settings.schedule;
      try {
        const answer = await api("POST", "/api/optimize", body);
        landscape.result = Array.isArray(answer) ? answer : [answer];
      } catch (error) {
        landscape.result = [];
        setText("l-error", error.message);
      }
      const longest = Math.max(0, ...landscape.result.map(r => r.trajectory.length - 1));
      byId("l-slider").max = longest;
      showFrame(0);
      const first = landscape.result[0];
      if (first) {
        const g = first.trajectory[0].gradient, at = first.trajectory[0].parameters;
        setText("l-gradient", entry.dimension === 1
          ? `First gradient: f′(${formatNumber(at[0])}) = ${g[0]} (the tangent drawn at the start)`
          : `First gradient at (${at.map(formatNumber).join(", ")}): ∇f = (${g.join(", ")})`);
        byId("l-gradient").dataset.gradient = JSON.stringify(g);
      }
      play(true);
    }

    function showFrame(frame) {
      landscape.frame = frame;
      byId("l-slider").value = frame;
      setText("l-frame", `step ${frame}`);
      drawPaths();
    }

    function play(on) {
      landscape.playing = on && landscape.result.length > 0;
      byId("l-play").textContent = landscape.playing ? "Pause" : "Play";
      if (landscape.playing) requestAnimationFrame(tick);
    }

    /** One animation frame: advance so a race of any length plays in about five seconds. */
    function tick() {
      if (!landscape.playing) return;
      const last = Number(byId("l-slider").max);
      if (landscape.frame >= last) { play(false); return; }
      showFrame(Math.min(last, landscape.frame + Math.max(1, Math.ceil(last / 300))));
      requestAnimationFrame(tick);
    }

    /** The paths up to the current step, a marker at each head (its values in data-* attributes), and the table of losses. */
    function drawPaths() {
      const svg = byId("l-svg"), scale = landscapeScale(), entry = scale.entry;
      svg.replaceChildren();
      if (entry.dimension === 1 && landscape.grid) {
        const [wx] = entry.window, n = landscape.grid.values.length;
        const curve = landscape.grid.values.map((v, i) => `${scale.px(wx[0] + (i + 0.5) / n * (wx[1] - wx[0])).toFixed(1)},${clampPixel(scale.py(v)).toFixed(1)}`);
        svgElement("polyline", { points: curve.join(" "), fill: "none", stroke: "#52606d", "stroke-width": 2 }, svg);
        svgElement("line", { x1: 0, x2: 600, y1: scale.py(0), y2: scale.py(0), stroke: "#cbd2d9" }, svg);
      }
      for (const minimum of entry.minima) {
        const y = entry.dimension === 1 ? scale.py(landscape.grid ? Math.min(...landscape.grid.values) : 0) : scale.py(minimum[1]);
        svgElement("text", { x: scale.px(minimum[0]) - 5, y: y + 5, class: "minimum", style: "font-size:16px;fill:#1f2933" }, svg).textContent = "✕";
      }
      const body = document.querySelector("#l-legend tbody");
      body.replaceChildren();
      landscape.result.forEach((run, index) => {
        const color = PALETTE[index % PALETTE.length], points = run.trajectory, shown = points.slice(0, landscape.frame + 1);
        const head = shown[shown.length - 1];
        const toPixel = p => entry.dimension === 1 ? [scale.px(p.parameters[0]), scale.py(p.loss)] : [scale.px(p.parameters[0]), scale.py(p.parameters[1])];
        const dash = RACE_DASHES[index % RACE_DASHES.length], marker = RACE_MARKERS[index % RACE_MARKERS.length];
        const group = svgElement("g", { class: "series", "data-optimizer": index, "data-marker": marker, opacity: index === 0 ? 1 : LATER_PATH_OPACITY }, svg);
        const polyline = list => list.map(p => toPixel(p).map(v => clampPixel(v).toFixed(1)).join(",")).join(" ");
        // The whole path, faint, under the part travelled so far: any frame shows where each optimizer goes.
        svgElement("polyline", { class: "whole", points: polyline(points), fill: "none", stroke: color, "stroke-width": 1.5, "stroke-dasharray": dash, opacity: 0.3 }, group);
        svgElement("polyline", { class: "travelled", points: polyline(shown), fill: "none", stroke: color, "stroke-width": 2, "stroke-dasharray": dash, "stroke-linecap": "round" }, group);
        if (index === 0 && entry.dimension === 1) {
          const p = points[0], [x, y] = toPixel(p), slope = p.gradient[0], dx = 0.6;
          svgElement("line", { class: "tangent", x1: scale.px(p.parameters[0] - dx), y1: clampPixel(scale.py(p.loss - slope * dx)), x2: scale.px(p.parameters[0] + dx), y2: clampPixel(scale.py(p.loss + slope * dx)), stroke: color, "stroke-dasharray": "5 3" }, group);
          svgElement("circle", { cx: x, cy: y, r: 3, fill: "#fff", stroke: color }, group);
        }
        const [hx, hy] = toPixel(head);
        markerElement(marker, clampPixel(hx), clampPixel(hy), 5, { class: "head", fill: color, stroke: "#fff", "stroke-width": 1.5,
                               "data-step": head.step, "data-loss": String(head.loss), "data-parameters": JSON.stringify(head.parameters) }, group);
        const row = document.createElement("tr");
        const diverged = run.diverged && shown.length === points.length ? run.diverged : "";
        row.innerHTML = `<td></td><td></td><td>${head.step}</td><td class="loss" data-loss="${head.loss}">${formatNumber(head.loss)}</td><td>(${head.parameters.map(formatNumber).join(", ")})</td><td class="note"></td>`;
        // The legend's symbol: the path's colour, dashes and marker.
        const symbol = svgElement("svg", { class: "race-symbol", width: 26, height: 12, opacity: index === 0 ? 1 : LATER_PATH_OPACITY }, row.children[0]);
        svgElement("line", { x1: 1, x2: 25, y1: 6, y2: 6, stroke: color, "stroke-width": 2, "stroke-dasharray": dash, "stroke-linecap": "round" }, symbol);
        markerElement(marker, 13, 6, 3.5, { fill: color }, symbol);
        row.children[1].textContent = byId("l-optimizers").children[index] ? byId("l-optimizers").children[index].querySelector("input").value : run.optimizer.name;
        row.children[5].textContent = diverged;
        body.appendChild(row);
      });
    }

    function setUpLandscape(catalog) {
      for (const entry of catalog.functions) {
        landscape.functions[entry.name] = entry;
        byId("l-function").add(new Option(entry.name, entry.name));
      }
      for (const entry of catalog.optimizers) byId("l-add-name").add(new Option(entry.name, entry.name));
      const keysNote = () => {
        const entry = catalog.optimizers.find(o => o.name === byId("l-add-name").value);
        setText("l-keys", `${entry.name} keys: ${entry.keys.join(", ")} (lr for learningRate). Schedules: ${catalog.schedules.map(s => s.name).join(", ")}.`);
      };
      byId("l-add-name").addEventListener("change", keysNote);
      keysNote();
      byId("l-add").addEventListener("click", () => { addOptimizerRow(`${byId("l-add-name").value}(lr: 0.01)`); saveState(); race(); });
      byId("l-function").addEventListener("change", async () => {
        byId("l-start").value = landscape.functions[byId("l-function").value].start.join(",");
        saveState(); await loadLandscape(); race();
      });
      for (const id of ["l-start", "l-steps", "l-schedule"]) byId(id).addEventListener("change", () => { saveState(); race(); });
      byId("l-race").addEventListener("click", race);
      byId("l-play").addEventListener("click", () => {
        if (!landscape.playing && landscape.frame >= Number(byId("l-slider").max)) showFrame(0);
        play(!landscape.playing);
      });
      byId("l-step").addEventListener("click", () => { play(false); showFrame(Math.min(Number(byId("l-slider").max), landscape.frame + 1)); });
      byId("l-slider").addEventListener("input", () => { play(false); showFrame(Number(byId("l-slider").value)); });
      byId("l-svg").addEventListener("click", event => {
        const box = byId("l-svg").getBoundingClientRect(), point = landscapeScale().fromPixel(event.clientX - box.left, event.clientY - box.top);
        byId("l-start").value = point.map(v => Number(v.toFixed(3))).join(",");
        saveState(); race();
      });
    }
    """#
}
