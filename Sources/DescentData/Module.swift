// DescentData module.
