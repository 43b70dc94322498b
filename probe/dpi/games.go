package dpi

// Online games and game platforms.
var gameDissectors = []dissector{}
