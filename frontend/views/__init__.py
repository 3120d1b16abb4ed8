"""Server-rendered pages. Thin: parse input, call a selector or service, render."""
