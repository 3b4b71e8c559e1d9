// DescentPlot module.
