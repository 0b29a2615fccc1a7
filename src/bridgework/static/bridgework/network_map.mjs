// Network map (Cytoscape.js, loaded as a classic script before this module). The data is the
// JSON block the page also renders as a table; nothing here computes a figure.
const container = document.getElementById("network-map");
const source = document.getElementById("network-map-data");
if (container && source && window.cytoscape) {
  const data = JSON.parse(source.textContent);
  const palette = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197", "#b58840", "#912b88"];
  const groups = [...new Set(data.nodes.map((n) => n.data.group))];
  const sizeKey = data.level === "person" ? container.dataset.size : "size";
  const values = data.nodes.map((n) => Number(n.data[sizeKey]) || 0);
  const top = Math.max(1, ...values);
  for (const node of data.nodes) {
    node.data.colour = palette[groups.indexOf(node.data.group) % palette.length];
    node.data.diameter = 16 + 44 * ((Number(node.data[sizeKey]) || 0) / top);
  }
  const cy = window.cytoscape({
    container,
    elements: [...data.nodes, ...data.edges],
    layout: { name: "cose", animate: false, randomize: false },
    style: [
      { selector: "node", style: { "background-color": "data(colour)", width: "data(diameter)", height: "data(diameter)", label: "data(label)", "font-size": 10 } },
      { selector: "edge", style: { width: 1, "line-color": "#b1b4b6", "curve-style": "bezier", "target-arrow-shape": "triangle", "target-arrow-color": "#b1b4b6" } },
      { selector: "node.broker", style: { "border-width": 4, "border-color": "#0b0c0c" } },
      { selector: ".hidden", style: { display: "none" } },
    ],
  });
  const controls = document.querySelector(".bw-map-controls");
  if (controls) controls.hidden = false;
  const minWeight = document.getElementById("map-min-weight");
  minWeight?.addEventListener("change", () => {
    const min = Number(minWeight.value);
    cy.edges().forEach((e) => e.toggleClass("hidden", Number(e.data("weight")) < min));
  });
  const brokers = document.getElementById("map-brokers");
  brokers?.addEventListener("change", () => {
    cy.nodes().forEach((n) => n.toggleClass("broker", brokers.checked && n.data("broker")));
  });
  container.dataset.ready = "true";
}
