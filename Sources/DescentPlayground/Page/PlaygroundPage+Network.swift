extension PlaygroundPage {
    /// The network view: a small network learning 2-D data on the server, its events streamed
    /// (`GET /api/train/ID/events`, server-sent events) and drawn as they arrive: the decision
    /// regions, the batch and full loss, the accuracies, the learning rate; up to two comparison
    /// runs overlaid; the learning-rate finder.
    static let networkScript = #"""
    // ---- Network view ------------------------------------------------------------------------
    const network = {
      runs: [],        // [{ id, label, color, dash, source, start, batch, full, rate, trainAccuracy, validationAccuracy, regions, end, events }]
      upload: null,    // { id, name } of the uploaded CSV, if any
      paused: false,
      drawPending: false,
    };
    /** The network settings kept in the URL, by short key. */
    const NETWORK_FIELDS = { data: "n-data", count: "n-count", noise: "n-noise", split: "n-split", layers: "n-layers", width: "n-width",
                             activation: "n-activation", optimizer: "n-optimizer", lr: "n-lr", schedule: "n-schedule", batch: "n-batch",
                             epochs: "n-epochs", seed: "n-seed", speed: "n-speed", axis: "n-axis", compare: "n-compare" };

    function networkSettings() {
      const settings = {};
      for (const [key, id] of Object.entries(NETWORK_FIELDS)) settings[key] = byId(id).value.trim();
      return settings;
    }

    function applyNetworkSettings(settings) {
      for (const [key, id] of Object.entries(NETWORK_FIELDS)) if (settings[key] !== undefined && settings[key] !== "") byId(id).value = settings[key];
    }

    /** `adam` + 0.03 → `adam(lr: 0.03)`; a spec that already names its rate is kept as written. */
    function optimizerSpec(text, rate) {
      const match = /^\s*([\w-]+)\s*(?:\((.*)\))?\s*$/.exec(text);
      if (!match || /\b(lr|learningRate)\s*:/.test(match[2] || "") || rate === "") return text;
      return `${match[1]}(lr: ${rate}${match[2] && match[2].trim() ? ", " + match[2] : ""})`;
    }

    /** The body of POST /api/train for `settings` (see TrainRequest). */
    function trainBody(settings) {
      let data;
      if (settings.data === "upload" && network.upload) data = `upload:${network.upload.id}`;
      else if (settings.data === "blobs") data = `builtin:blobs(count: ${settings.count}, standardDeviation: ${settings.noise})`;
      else data = `builtin:${settings.data}(count: ${settings.count}, noise: ${settings.noise})`;
      const layers = Number(settings.layers), hidden = Array(layers).fill(settings.width).join(", ");
      const body = {
        data, model: layers === 0 ? "softmax" : `mlp(${hidden}, activation: ${settings.activation})`,
        optimizer: optimizerSpec(settings.optimizer, settings.lr), batchSize: settings.batch, epochs: Number(settings.epochs),
        seed: Number(settings.seed), validationSplit: Number(settings.split), stepsPerSecond: Number(settings.speed), gridSize: 40,
      };
      if (settings.schedule) body.schedule = settings.schedule;
      return body;
    }

    /** The comparison runs: `batch=1 | batch=full` → the settings with each group of overrides applied. */
    function comparisonSettings(settings) {
      return (settings.compare || "").split("|").map(s => s.trim()).filter(s => s).slice(0, 2).map(text => {
        const overrides = Object.fromEntries(new URLSearchParams(text.replace(/\s*,\s*/g, "&")));
        return { label: text, settings: Object.assign({}, settings, overrides, { compare: "" }) };
      });
    }

    async function stopRuns() {
      for (const run of network.runs) {
        if (run.source) run.source.close();
        if (!run.end) api("DELETE", `/api/train/${run.id}`).catch(() => {});
      }
      network.runs = [];
      network.paused = false;
      byId("n-pause").textContent = "Pause";
    }

    async function startTraining() {
      setText("n-error", "");
      await stopRuns();
      const settings = networkSettings();
      const plans = [{ label: "this run", settings }].concat(comparisonSettings(settings));
      try {
        for (const [index, plan] of plans.entries()) {
          const { id } = await api("POST", "/api/train", trainBody(plan.settings));
          const run = { id, label: plan.label, color: PALETTE[index], dash: index === 0 ? "" : (index === 1 ? "6 3" : "2 3"),
                        start: null, batch: [], full: [], rate: [], trainAccuracy: [], validationAccuracy: [], regions: null, end: null, events: 0 };
          network.runs.push(run);
          listen(run);
        }
      } catch (error) {
        setText("n-error", error.message);
      }
      scheduleDraw();
    }

    /** Follows a run's event stream until its end event. */
    function listen(run) {
      const source = new EventSource(`/api/train/${run.id}/events`);
      run.source = source;
      source.onmessage = message => {
        const event = JSON.parse(message.data);
        run.events += 1;
        if (event.type === "start") run.start = event;
        else if (event.type === "step") {
          if (event.batchLoss !== undefined) run.batch.push([event.step, event.batchLoss]);
          run.rate.push([event.step, event.learningRate]);
          if (event.fullLoss !== undefined) run.full.push([event.step, event.fullLoss]);
          if (event.trainAccuracy !== undefined) run.trainAccuracy.push([event.step, event.trainAccuracy]);
          if (event.validationAccuracy !== undefined) run.validationAccuracy.push([event.step, event.validationAccuracy]);
          if (event.regions) run.regions = { step: event.step, grid: event.regions };
          run.lastStep = event.step;
        } else if (event.type === "end" || event.type === "error") {
          run.end = event;
          source.close();
        }
        scheduleDraw();
      };
      source.onerror = () => { if (run.end) source.close(); };
    }

    function scheduleDraw() {
      if (network.drawPending) return;
      network.drawPending = true;
      requestAnimationFrame(() => { network.drawPending = false; drawNetwork(); });
    }

    /** A run's points against the chosen x axis: steps, or epochs (step ÷ batches per epoch). */
    function againstAxis(run, points) {
      if (byId("n-axis").value !== "epochs" || !run.start) return points;
      return points.map(([step, value]) => [step / run.start.batchesPerEpoch, value]);
    }

    function drawNetwork() {
      const runs = network.runs, xLabel = byId("n-axis").value;
      drawLineChart(byId("n-loss"), { xLabel, yLabel: "loss", yLog: true, series: runs.flatMap(run => [
        { label: `${run.label} batch`, color: run.color, width: 0.8, dash: run.dash, opacity: 0.35, points: againstAxis(run, run.batch) },
        { label: `${run.label} full`, color: run.color, width: 2.5, dash: run.dash, points: againstAxis(run, run.full) }]) });
      drawLineChart(byId("n-accuracy"), { xLabel, yLabel: "accuracy", yMin: 0, yMax: 1, series: runs.flatMap(run => [
        { label: `${run.label} training`, color: run.color, width: 2, points: againstAxis(run, run.trainAccuracy) },
        { label: `${run.label} validation`, color: run.color, width: 2, dash: "5 3", points: againstAxis(run, run.validationAccuracy) }]) });
      drawLineChart(byId("n-rate"), { xLabel, yLabel: "learning rate", series: runs.map(run => ({ label: run.label, color: run.color, dash: run.dash, width: 2, points: againstAxis(run, run.rate) })) });
      const main = runs[0];
      const svg = byId("n-loss");
      if (main) {
        const lastBatch = main.batch[main.batch.length - 1], lastFull = main.full[main.full.length - 1];
        svg.dataset.run = main.id;
        svg.dataset.lastStep = lastBatch ? lastBatch[0] : 0;
        svg.dataset.lastBatchLoss = lastBatch ? String(lastBatch[1]) : "";
        svg.dataset.lastFullStep = lastFull ? lastFull[0] : "";
        svg.dataset.lastFullLoss = lastFull ? String(lastFull[1]) : "";
      }
      drawRegions(main);
      const status = runs.map(run => {
        const total = run.start ? run.start.totalSteps : "?";
        const state = run.end ? (run.end.type === "error" ? `error: ${run.end.message}` : `${run.end.stopReason}${run.end.divergence ? " (" + run.end.divergence + ")" : ""}`)
                              : (network.paused ? "paused" : "training");
        const accuracy = run.validationAccuracy.length ? run.validationAccuracy[run.validationAccuracy.length - 1][1] : (run.trainAccuracy.length ? run.trainAccuracy[run.trainAccuracy.length - 1][1] : null);
        return `${run.label}: step ${run.lastStep || 0} of ${total}, ${state}${accuracy !== null ? ", accuracy " + formatNumber(accuracy) : ""}`;
      });
      setText("n-status", status.join("\n"));
    }

    /** The decision regions of `run` (each cell tinted by its class, stronger where the model is surer) and the data points. */
    function drawRegions(run) {
      const canvas = byId("n-regions"), context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      if (!run || !run.start) return;
      const { bounds, classes } = run.start, k = Math.max(2, classes.length);
      if (run.regions) {
        const { size, classes: cells, confidence } = run.regions.grid, cw = canvas.width / size, ch = canvas.height / size;
        for (let cell = 0; cell < size * size; cell++) {
          const t = Math.max(0, (confidence[cell] / 100 - 1 / k) / (1 - 1 / k)), [r, g, b] = CLASS_COLORS[cells[cell] % CLASS_COLORS.length];
          const mix = c => Math.round(255 - (255 - c) * (0.15 + 0.45 * t));
          context.fillStyle = `rgb(${mix(r)},${mix(g)},${mix(b)})`;
          context.fillRect(Math.floor((cell % size) * cw), Math.floor(Math.floor(cell / size) * ch), Math.ceil(cw), Math.ceil(ch));
        }
        canvas.dataset.step = run.regions.step;
      }
      const px = x => (x - bounds.x[0]) / (bounds.x[1] - bounds.x[0]) * canvas.width;
      const py = y => canvas.height - (y - bounds.y[0]) / (bounds.y[1] - bounds.y[0]) * canvas.height;
      const dot = ([x, y, label], filled) => {
        const [r, g, b] = CLASS_COLORS[label % CLASS_COLORS.length];
        context.beginPath();
        context.arc(px(x), py(y), 3.2, 0, 2 * Math.PI);
        context.lineWidth = 1.2;
        context.strokeStyle = filled ? "#fff" : `rgb(${r},${g},${b})`;
        context.fillStyle = `rgb(${r},${g},${b})`;
        if (filled) context.fill();
        context.stroke();
      };
      run.start.train.forEach(p => dot(p, true));
      run.start.validation.forEach(p => dot(p, false));
    }

    async function pauseOrResume() {
      const action = network.paused ? "resume" : "pause";
      for (const run of network.runs) if (!run.end) await api("POST", `/api/train/${run.id}/${action}`).catch(() => {});
      network.paused = !network.paused;
      byId("n-pause").textContent = network.paused ? "Resume" : "Pause";
      scheduleDraw();
    }

    async function findLearningRate() {
      setText("n-error", "");
      const body = Object.assign(trainBody(networkSettings()), { iterations: 100 });
      delete body.stepsPerSecond;
      delete body.gridSize;
      try {
        const sweep = await api("POST", "/api/lr-find", body);
        byId("n-finder-panel").style.display = "";
        const points = sweep.learningRates.map((rate, i) => [rate, sweep.losses[i]]);
        drawLineChart(byId("n-finder"), { xLabel: "learning rate", yLabel: "smoothed loss", xLog: true, series: [{ label: "loss", color: PALETTE[0], width: 2, points }],
                                          marks: [["valley", sweep.valley, "#2b8a3e"], ["steep", sweep.steep, "#e8590c"], ["minimum", sweep.minimum, "#862e9c"]]
                                            .filter(m => m[1] !== null).map(([label, x, color]) => ({ label, x, color })) });
        byId("n-finder").dataset.valley = sweep.valley === null ? "" : String(sweep.valley);
        const text = byId("n-finder-text");
        text.textContent = sweep.valley === null ? "The sweep was too short for a suggestion." :
          `Suggested learning rate: ${formatNumber(sweep.valley)} (valley; steep ${formatNumber(sweep.steep)}, minimum/10 ${formatNumber(sweep.minimum)}). `;
        if (sweep.valley !== null) {
          const use = document.createElement("button");
          use.className = "plain";
          use.textContent = "use it";
          use.addEventListener("click", () => { byId("n-lr").value = Number(sweep.valley.toPrecision(3)); saveState(); });
          text.appendChild(use);
        }
      } catch (error) {
        setText("n-error", error.message);
      }
    }

    async function uploadFile(file) {
      setText("n-error", "");
      try {
        const answer = await api("POST", "/api/upload", await file.text(), "text/csv");
        network.upload = { id: answer.id, name: file.name };
        let option = byId("n-data").querySelector("option[value=upload]");
        if (!option) { option = new Option("", "upload"); byId("n-data").add(option); }
        option.textContent = `${file.name} (${answer.rows} rows; not in the link)`;
        byId("n-data").value = "upload";
        saveState();
      } catch (error) {
        setText("n-error", error.message);
      }
    }

    function setUpNetwork(catalog) {
      for (const name of catalog.datasets) byId("n-data").add(new Option(name, name));
      for (const name of catalog.activations) byId("n-activation").add(new Option(name, name));
      byId("n-data").value = "moons";
      byId("n-activation").value = "tanh";
      for (const id of Object.values(NETWORK_FIELDS)) byId(id).addEventListener("change", () => { saveState(); if (id === "n-axis") scheduleDraw(); });
      byId("n-start").addEventListener("click", startTraining);
      byId("n-pause").addEventListener("click", pauseOrResume);
      byId("n-reset").addEventListener("click", async () => { await stopRuns(); scheduleDraw(); setText("n-status", ""); });
      byId("n-lrfind").addEventListener("click", findLearningRate);
      byId("n-file").addEventListener("change", event => { if (event.target.files[0]) uploadFile(event.target.files[0]); });
      drawNetwork();
    }
    """#
}
