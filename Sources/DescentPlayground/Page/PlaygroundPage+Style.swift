extension PlaygroundPage {
    /// The page's style: two panes (controls, pictures), quiet colours, one accent per run.
    static let style = #"""
    :root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #2f6fde; --bad: #b42318; font-family: system-ui, sans-serif; }
    body { margin: 0; color: var(--ink); background: #f7f9fb; font-size: 14px; }
    header { display: flex; gap: 16px; align-items: center; padding: 10px 16px; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
    header h1 { font-size: 17px; margin: 0 12px 0 0; }
    nav button { border: 1px solid var(--line); background: #fff; padding: 6px 14px; cursor: pointer; font-size: 14px; }
    nav button.active { background: var(--accent); color: #fff; border-color: var(--accent); }
    main { padding: 12px 16px; }
    .view { display: none; gap: 16px; align-items: flex-start; }
    .view.active { display: flex; flex-wrap: wrap; }
    .controls { width: 330px; background: #fff; border: 1px solid var(--line); padding: 10px 12px; box-sizing: border-box; }
    .controls label { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin: 5px 0; }
    .controls input[type=text], .controls input[type=number], .controls select { width: 170px; box-sizing: border-box; font: inherit; padding: 2px 4px; }
    .controls h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 12px 0 4px; }
    .row { display: flex; gap: 6px; margin: 4px 0; align-items: center; }
    .row input[type=text] { flex: 1; width: auto; }
    .swatch { width: 12px; height: 12px; border-radius: 2px; flex: none; }
    button.action { background: var(--accent); color: #fff; border: 0; padding: 6px 12px; cursor: pointer; border-radius: 3px; font: inherit; }
    button.plain { background: #fff; border: 1px solid var(--line); padding: 5px 10px; cursor: pointer; border-radius: 3px; font: inherit; }
    .buttons { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0; }
    .error { color: var(--bad); white-space: pre-wrap; min-height: 1em; margin: 6px 0; }
    .note { color: var(--muted); font-size: 12.5px; white-space: pre-line; }
    .pictures { display: flex; flex-direction: column; gap: 10px; }
    .panel { background: #fff; border: 1px solid var(--line); padding: 8px; }
    .panel h2 { font-size: 13px; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
    .stack { position: relative; }
    .stack canvas, .stack svg { position: absolute; left: 0; top: 0; }
    table.legend { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    table.legend td, table.legend th { padding: 2px 8px; border-bottom: 1px solid var(--line); text-align: left; }
    #lesson { max-width: 900px; margin: 0 0 10px; padding: 8px 12px; background: #eef4ff; border-left: 3px solid var(--accent); display: none; }
    #lesson.shown { display: block; }
    .charts { display: flex; flex-wrap: wrap; gap: 10px; }
    svg text { font-size: 11px; fill: var(--muted); }
    """#
}
