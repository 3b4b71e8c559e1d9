// The `Descent` library: one import for the whole system.
@_exported import DescentCore
@_exported import DescentNN
@_exported import DescentOptim
@_exported import DescentData
@_exported import DescentCompiled
@_exported import DescentTraining
@_exported import DescentDistributed
@_exported import DescentPlot
