extension PlaygroundPage {
    /// The page's elements: a header with the views, presets and the share link, then the two
    /// views. Menus are filled from `GET /api/catalog` by the script.
    static let markup = #"""
    <header>
      <h1>Descent playground</h1>
      <nav><button id="tab-landscape" data-view="landscape">Landscape</button><button id="tab-network" data-view="network">Network</button></nav>
      <label>Lesson <select id="preset"><option value="">choose a lesson…</option></select></label>
      <button class="plain" id="share">Copy link</button>
      <span class="note" id="share-note"></span>
    </header>
    <main>
      <div id="lesson"></div>
      <section class="view" id="landscape-view">
        <div class="controls">
          <h3>Function</h3>
          <label>function <select id="l-function"></select></label>
          <label>start <input type="text" id="l-start" title="click the picture to set it"></label>
          <label>steps <input type="number" id="l-steps" min="0" value="100"></label>
          <label>schedule <input type="text" id="l-schedule" placeholder="none, e.g. cosine(tMax: 100)"></label>
          <h3>Optimizers</h3>
          <div id="l-optimizers"></div>
          <div class="row"><select id="l-add-name"></select><button class="plain" id="l-add">add</button></div>
          <div class="note" id="l-keys"></div>
          <div class="buttons"><button class="action" id="l-race">Race</button></div>
          <div class="error" id="l-error"></div>
          <p class="note">Click the picture to start there. Every path is Descent's optimizer on the server (POST /api/optimize), bit for bit what <code>descent optimize</code> prints.</p>
        </div>
        <div class="pictures">
          <div class="panel">
            <div class="stack" id="l-stack" style="width:600px;height:450px"><canvas id="l-heat" width="600" height="450"></canvas><svg id="l-svg" width="600" height="450"></svg></div>
            <div class="buttons">
              <button class="plain" id="l-play">Play</button><button class="plain" id="l-step">Step</button>
              <input type="range" id="l-slider" min="0" max="0" value="0" style="width:300px"><span id="l-frame">step 0</span>
            </div>
            <div class="note" id="l-gradient"></div>
          </div>
          <div class="panel"><table class="legend" id="l-legend"><thead><tr><th></th><th>optimizer</th><th>step</th><th>loss</th><th>position</th><th>status</th></tr></thead><tbody></tbody></table></div>
        </div>
      </section>
      <section class="view" id="network-view">
        <div class="controls">
          <h3>Data</h3>
          <label>dataset <select id="n-data"></select></label>
          <label>samples <input type="number" id="n-count" min="10" value="300"></label>
          <label>noise <input type="number" id="n-noise" min="0" step="0.05" value="0.2"></label>
          <label>or a CSV <input type="file" id="n-file" accept=".csv,text/csv" style="width:170px"></label>
          <label>validation share <input type="number" id="n-split" min="0" max="0.9" step="0.05" value="0.2"></label>
          <h3>Model</h3>
          <label>hidden layers <input type="number" id="n-layers" min="0" max="8" value="2"></label>
          <label>width <input type="number" id="n-width" min="1" max="256" value="8"></label>
          <label>activation <select id="n-activation"></select></label>
          <h3>Training</h3>
          <label>optimizer <input type="text" id="n-optimizer" value="adam"></label>
          <label>learning rate <input type="number" id="n-lr" step="any" value="0.03"></label>
          <label>schedule <input type="text" id="n-schedule" placeholder="none"></label>
          <label>batch size <input type="text" id="n-batch" value="32" title="1 (stochastic), a mini-batch size, or full"></label>
          <label>epochs <input type="number" id="n-epochs" min="1" value="30"></label>
          <label>seed <input type="number" id="n-seed" min="0" value="0"></label>
          <label>steps per second <input type="number" id="n-speed" min="1" value="200"></label>
          <label>x axis <select id="n-axis"><option value="epochs">epochs</option><option value="steps">steps</option></select></label>
          <label>compare with <input type="text" id="n-compare" placeholder="e.g. batch=1 | batch=full"></label>
          <div class="buttons">
            <button class="action" id="n-start">Start</button><button class="plain" id="n-pause">Pause</button>
            <button class="plain" id="n-reset">Reset</button><button class="plain" id="n-lrfind">Find a learning rate</button>
          </div>
          <div class="error" id="n-error"></div>
          <div class="note" id="n-status"></div>
        </div>
        <div class="pictures">
          <div class="charts">
            <div class="panel"><h2>Decision regions (points: training ●, validation ○)</h2><canvas id="n-regions" width="360" height="360"></canvas></div>
            <div class="panel"><h2>Loss: batch (thin) and full training set (thick)</h2><svg id="n-loss" width="460" height="360"></svg></div>
          </div>
          <div class="charts">
            <div class="panel"><h2>Accuracy: training (solid) and validation (dashed)</h2><svg id="n-accuracy" width="410" height="220"></svg></div>
            <div class="panel"><h2>Learning rate</h2><svg id="n-rate" width="410" height="220"></svg></div>
          </div>
          <div class="panel" id="n-finder-panel" style="display:none"><h2>Learning-rate finder: smoothed loss against the rate</h2><svg id="n-finder" width="600" height="240"></svg><div class="note" id="n-finder-text"></div></div>
        </div>
      </section>
    </main>
    """#
}
