// moviattn report: inflate the embedded plotly.js and data (gzip, base64), draw the aggregate's figures,
// and each review's two heatmaps when the reader opens it. Nothing is requested from the network.
"use strict";

(async () => {
  const status = document.getElementById("ma-loading");

  async function inflate(id) {
    const text = atob(document.getElementById(id).textContent.trim());
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  // A heatmap stored without its cells: values (integers × step), hover text from the unit labels.
  function heatmap(spec, data) {
    const figure = spec.figure;
    const trace = figure.data.find((t) => t.type === "heatmap");
    const cells = data.cells[spec.cells];
    const [nRows, nCols] = cells.shape;
    const rows = data.labels[spec.rows];
    const cols = data.labels[spec.cols];
    const { low, high, log, count } = spec.levels; // the app's colour levels: 0 = low, count = high (log10 under log)
    const z = [];
    const hover = [];
    for (let i = 0; i < nRows; i += 1) {
      const zRow = [];
      const hoverRow = [];
      for (let j = 0; j < nCols; j += 1) {
        const value = cells.q[i * nCols + j] * cells.step;
        const axis = log ? Math.log10(Math.max(value, 10 ** low)) : value;
        zRow.push(Math.round(Math.min(Math.max((axis - low) / (high - low || 1), 0), 1) * count));
        hoverRow.push(`${rows[i]} → ${cols[j]}<br>${value.toFixed(4)}`);
      }
      z.push(zRow);
      hover.push(hoverRow);
    }
    Object.assign(trace, { z, hovertext: hover, hovertemplate: "%{hovertext}<extra></extra>" });
    return figure;
  }

  function findReviews() {
    const text = document.getElementById("ma-find-text").value.trim().toLowerCase();
    const rating = document.getElementById("ma-find-rating").value;
    let shown = 0;
    for (const item of document.querySelectorAll(".ma-review")) {
      const said = item.querySelector(".ma-review-text").textContent.toLowerCase();
      const match = (!text || said.includes(text)) && (!rating || item.dataset.rating === rating);
      item.hidden = !match;
      shown += match ? 1 : 0;
    }
    document.getElementById("ma-find-count").textContent = `${shown}개 (shown)`;
  }

  for (const input of [document.getElementById("ma-find-text"), document.getElementById("ma-find-rating")]) {
    input.addEventListener("input", findReviews);
  }
  findReviews();

  try {
    const library = document.createElement("script");
    library.textContent = await inflate("ma-plotly");
    document.head.appendChild(library);
    const data = JSON.parse(await inflate("ma-data"));
    const draw = (element, figure) => Plotly.newPlot(element, figure.data, figure.layout, data.config);
    for (const element of document.querySelectorAll("[data-figure]")) {
      await draw(element, data.figures[element.dataset.figure]);
    }
    for (const item of document.querySelectorAll(".ma-review")) {
      const details = item.querySelector("details");
      details.addEventListener("toggle", async () => {
        if (!details.open || item.dataset.drawn) return;
        item.dataset.drawn = "1";
        const review = data.reviews[Number(item.dataset.index)];
        for (const element of item.querySelectorAll("[data-heatmap]")) {
          await draw(element, heatmap(review[element.dataset.heatmap], data));
        }
      });
    }
    status.remove();
  } catch (error) {
    status.className = "ma-warning";
    status.textContent = `그림을 그릴 수 없습니다 (the figures could not be drawn; a current browser is needed): ${error}`;
  }
})();
