extension PlaygroundPage {
    /// The page's frame: the API helper, the two views, the lessons, and the configuration kept
    /// in the URL (`#…`), so a link opens the same experiment. `window.playground` exposes the
    /// state for scripts and the browser tests.
    static let appScript = #"""
    // ---- The page ----------------------------------------------------------------------------
    function byId(id) { return document.getElementById(id); }
    function setText(id, text) { byId(id).textContent = text; }

    /** Calls the API; a non-2xx answer throws its `error` message (the CLI's words). */
    async function api(method, path, body, contentType) {
      const options = { method, headers: {} };
      if (body !== undefined) {
        options.body = typeof body === "string" ? body : JSON.stringify(body);
        options.headers["Content-Type"] = contentType || "application/json";
      }
      const response = await fetch(path, options), text = await response.text();
      let value = null;
      try { value = JSON.parse(text); } catch (_) { value = null; }
      if (!response.ok) throw new Error(value && value.error ? value.error : `${response.status}: ${text}`);
      return value;
    }

    /** The lessons of the seed material: each sets a whole configuration and says what to look for. */
    const LESSONS = {
      seed: { title: "The seed: w⁴ − 3w³ + 2 from w = −1.5",
        text: "At the start the slope is −33.75, so gradient descent moves right by η·33.75. With η = 0.001 the path creeps towards the flat inflection point at 0, where the gradient vanishes, and stalls there; with η = 0.05 the first step jumps past it and the path settles in the minimum at w = 9/4.",
        state: "view=landscape&fn=quartic&start=-1.5&steps=300&opt=sgd(lr: 0.001)&opt=sgd(lr: 0.05)" },
      "learning-rate": { title: "Too small and too big a learning rate",
        text: "On ½(x² + 25y²) every step multiplies y by 1 − 25η: η = 0.005 crawls along the flat x direction, η = 0.07 zig-zags across the valley but arrives, and η = 0.085 (above 2/25) overshoots further at every step. The steepest direction sets the largest stable rate, so the flat direction is learned slowly.",
        state: "view=landscape&fn=quadratic&start=-4,1.5&steps=60&opt=sgd(lr: 0.005)&opt=sgd(lr: 0.07)&opt=sgd(lr: 0.085)" },
      momentum: { title: "Momentum on a ravine",
        text: "Rosenbrock's valley is long, narrow and curved: plain gradient descent bounces between its walls and barely moves along the floor. Momentum averages the steps, so the bouncing cancels and the motion along the valley adds up.",
        state: "view=landscape&fn=rosenbrock&start=-1.5,2&steps=1000&opt=sgd(lr: 0.001)&opt=sgd(lr: 0.001, momentum: 0.9)&opt=adam(lr: 0.05)" },
      "local-minimum": { title: "A local minimum that depends on the start",
        text: "Rastrigin's function is a bowl covered in bumps: gradient descent rolls into whichever valley is nearest its start and stays there. Click a start near the centre and the same optimizers reach the global minimum at (0, 0).",
        state: "view=landscape&fn=rastrigin&start=2.5,-2.2&steps=200&opt=sgd(lr: 0.002)&opt=adam(lr: 0.05)" },
      batch: { title: "Batch, stochastic and mini-batch gradient descent",
        text: "Full-batch descent (blue) takes one exact step per epoch and its loss falls smoothly; batch size 1 (orange) takes hundreds of noisy steps per epoch, mini-batches of 16 (green) sit between. Thin lines are each batch's loss, thick ones the loss on the whole training set.",
        state: "view=network&data=moons&count=300&noise=0.2&split=0.2&layers=2&width=8&activation=tanh&optimizer=sgd&lr=0.1&batch=full&epochs=30&seed=0&speed=600&axis=epochs&compare=batch=1 | batch=16&run=1" },
      linear: { title: "Stacked linear layers stay linear",
        text: "Three linear layers with nothing between them multiply out to a single linear map, so the boundary stays a straight line and the inner circle cannot be cut out. Put tanh between the same layers (the dashed comparison) and the network bends its boundary around it.",
        state: "view=network&data=circles&count=300&noise=0.05&split=0.2&layers=3&width=8&activation=none&optimizer=adam&lr=0.03&batch=32&epochs=40&seed=0&speed=400&axis=epochs&compare=activation=tanh&run=1" },
    };

    /** Writes both views' settings, the view and the lesson into the URL (without a new history entry). */
    function saveState() {
      const params = new URLSearchParams();
      params.set("view", document.querySelector(".view.active") === byId("network-view") ? "network" : "landscape");
      const l = landscapeSettings();
      params.set("fn", l.function); params.set("start", l.start); params.set("steps", l.steps);
      if (l.schedule) params.set("lschedule", l.schedule);  // "schedule" is the network's
      for (const spec of l.optimizers) params.append("opt", spec);
      for (const [key, value] of Object.entries(networkSettings())) if (value !== "" && key !== "data" || (key === "data" && value !== "upload")) params.set(key, value);
      if (currentLesson) params.set("lesson", currentLesson);
      history.replaceState(null, "", "#" + params.toString());
    }

    let currentLesson = "";

    /** Reads the URL's settings into both views; returns the parameters. */
    function loadState() {
      const params = new URLSearchParams(location.hash.slice(1));
      applyLandscapeSettings({ function: params.get("fn"), start: params.get("start"), steps: params.get("steps"), schedule: params.get("lschedule"), optimizers: params.getAll("opt") });
      const network = {};
      for (const key of Object.keys(NETWORK_FIELDS)) if (params.has(key)) network[key] = params.get(key);
      applyNetworkSettings(network);
      currentLesson = params.get("lesson") || "";
      const lesson = LESSONS[currentLesson];
      byId("lesson").className = lesson ? "shown" : "";
      byId("lesson").innerHTML = lesson ? `<strong></strong> <span></span>` : "";
      if (lesson) { byId("lesson").children[0].textContent = lesson.title + "."; byId("lesson").children[1].textContent = lesson.text; }
      byId("preset").value = lesson ? currentLesson : "";
      showView(params.get("view") === "network" ? "network" : "landscape");
      return params;
    }

    function showView(name) {
      for (const view of ["landscape", "network"]) {
        byId(`${view}-view`).classList.toggle("active", view === name);
        byId(`tab-${view}`).classList.toggle("active", view === name);
      }
    }

    /** Applies the URL: loads the function's picture, races (paused at step `at=N` if given), and starts training when asked (`run=1`). */
    async function openState() {
      const params = loadState();
      await loadLandscape();
      await race();
      if (params.has("at")) { play(false); showFrame(Math.max(0, Math.min(Number(byId("l-slider").max), Number(params.get("at")) || 0))); }
      if (params.get("run") === "1") await startTraining();
    }

    window.playground = { landscape, network, race, startTraining, stopRuns, findLearningRate, ready: (async () => {
      const catalog = await api("GET", "/api/catalog");
      setUpLandscape(catalog);
      setUpNetwork(catalog);
      for (const [key, lesson] of Object.entries(LESSONS)) byId("preset").add(new Option(lesson.title, key));
      byId("preset").addEventListener("change", () => {
        const lesson = LESSONS[byId("preset").value];
        if (!lesson) return;
        location.hash = lesson.state + "&lesson=" + byId("preset").value;
      });
      for (const view of ["landscape", "network"]) byId(`tab-${view}`).addEventListener("click", () => { showView(view); saveState(); });
      byId("share").addEventListener("click", async () => {
        saveState();
        try { await navigator.clipboard.writeText(location.href); setText("share-note", "link copied"); }
        catch (_) { setText("share-note", location.href); }
      });
      window.addEventListener("hashchange", () => { openState(); });
      await openState();
      return true;
    })() };
    """#
}
