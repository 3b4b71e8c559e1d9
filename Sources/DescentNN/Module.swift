// DescentNN module.
