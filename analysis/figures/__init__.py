"""Showing a study: figures in one style, the HTML report and the notebook runner. Draws and
lays out what a result holds; computes no statistic."""
