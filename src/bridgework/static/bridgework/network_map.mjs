// Network map (Cytoscape.js, loaded as a classic script before this module). The data is the
// JSON block the page also renders as a table; nothing here computes a figure. Filters by
// relation and tie strength are query parameters, so the map and its table always agree.
const container = document.getElementById("network-map");
const source = document.getElementById("network-map-data");
if (container && source && window.cytoscape) {
  const data = JSON.parse(source.textContent);
  // GOV.UK Frontend colours, distinct enough side by side; they repeat after twelve groups.
  const palette = [
    "#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197",
    "#b58840", "#d53880", "#003078", "#85994b", "#6f72af", "#505a5f",
  ];
  const groups = [...new Set(data.nodes.map((n) => n.data.group))].sort();
  const colourOf = (group) => palette[groups.indexOf(group) % palette.length];
  const person = data.level === "person";
  const sizeKey = person ? container.dataset.size : "size";
  const top = Math.max(1, ...data.nodes.map((n) => Number(n.data[sizeKey]) || 0));
  for (const node of data.nodes) {
    node.data.colour = colourOf(node.data.group);
    node.data.diameter = 16 + 44 * ((Number(node.data[sizeKey]) || 0) / top);
  }
  // Organisation map: thickness by number of ties. The named map carries no ratings (they are
  // individual answers), so its lines are all one width.
  const heaviest = Math.max(1, ...data.edges.map((e) => Number(e.data.weight) || 0));
  for (const edge of data.edges) {
    const weight = Number(edge.data.weight) || 1;
    edge.data.thickness = person ? 1.5 : 1 + (7 * weight) / heaviest;
  }
  const cy = window.cytoscape({
    container,
    elements: [...data.nodes, ...data.edges],
    layout: { name: "cose", animate: false, randomize: false },
    style: [
      { selector: "node", style: { "background-color": "data(colour)", width: "data(diameter)", height: "data(diameter)", label: "data(label)", "font-size": 10 } },
      { selector: "edge", style: { width: "data(thickness)", "line-color": "#b1b4b6", "curve-style": "bezier", "target-arrow-shape": "triangle", "target-arrow-color": "#b1b4b6" } },
      { selector: "node.broker", style: { "border-width": 5, "border-color": "#0b0c0c", "font-weight": "bold" } },
      { selector: "node.faded", style: { opacity: 0.25 } },
    ],
  });

  const legend = document.getElementById("network-map-legend");
  if (legend && groups.length) {
    const list = legend.querySelector("ul");
    list.replaceChildren(
      ...groups.map((group) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.setAttribute("aria-hidden", "true");
        swatch.className = "bw-map-swatch";
        Object.assign(swatch.style, {
          display: "inline-block", width: "1em", height: "1em", marginRight: "0.5em",
          verticalAlign: "middle", border: "1px solid #0b0c0c", backgroundColor: colourOf(group),
        });
        item.append(swatch, document.createTextNode(group || "No organisation"));
        return item;
      }),
    );
    legend.hidden = false;
  }

  const controls = document.querySelector(".bw-map-controls");
  if (controls) controls.hidden = false;
  const brokers = document.getElementById("map-brokers");
  brokers?.addEventListener("change", () => {
    cy.nodes().forEach((n) => {
      const isBroker = Boolean(n.data("broker"));
      n.toggleClass("broker", brokers.checked && isBroker);
      n.toggleClass("faded", brokers.checked && !isBroker);
    });
    container.dataset.brokers = String(cy.nodes(".broker").length);
  });
  container.dataset.ready = "true";
}
