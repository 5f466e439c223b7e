"""The node canvas: a QGraphicsScene that draws the graph document and a view over it."""
