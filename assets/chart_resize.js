/* A chart is laid out again only when its box has changed width.

   Dash's graph asks Plotly to lay each chart out again twice as a page opens, whatever its size:
   once after drawing it, and once when it starts watching its box (the first thing a
   ResizeObserver reports is the box as it already is). Each ask waits 100 ms and then lays the
   chart out at the size it already has: on Capacity, with ten charts, a quarter of a second
   before the page is still. Here an ask for a chart whose drawn width is its box's width is
   answered at once; a real change (the window resized, a tablet turned round) is laid out as
   before. (Plotly is loaded after this file, so the wrap is put on as it arrives.) */
(function () {
  function drawnAtItsWidth(chart) {
    var layout = chart && chart._fullLayout;
    if (!layout || !chart.isConnected) { return false; }
    return Math.abs(layout.width - parseFloat(getComputedStyle(chart).width)) < 1;
  }

  function wrap(plotly) {
    var plots = plotly && plotly.Plots;
    if (!plots || !plots.resize || plots.resize.onlyWhenChanged) { return; }
    var resize = plots.resize;
    plots.resize = function (chart) {
      return drawnAtItsWidth(chart) ? Promise.resolve(chart) : resize.apply(this, arguments);
    };
    plots.resize.onlyWhenChanged = true;
  }

  var loaded = window.Plotly;
  if (loaded) { wrap(loaded); return; }
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    enumerable: true,
    get: function () { return loaded; },
    set: function (plotly) { loaded = plotly; wrap(plotly); }
  });
})();
