// DescentOptim module.
