// DescentTraining module.
