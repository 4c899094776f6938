/* The players on the map: one clustering shared by every kind (Supercluster), and markers drawn only for what is
 * in view, so that 20,000 players cost a few hundred DOM nodes, not 20,000 Leaflet markers.
 *
 * Python (geo/mapping.py) sends, at each rerun, compact rows for the current selection plus the labels of the
 * interface language; `EntityMap.of(map).show(...)` takes them. The engine lives as long as the map's frame: the
 * layers streamlit-folium swaps at each rerun only hand it data, so an unchanged selection keeps its markers and
 * open popup, and the view moves only when the selection or the selected player changes.
 *
 * Row: [lat, lon, id, name, kind index, category label index, commune, [tag label indices], website].
 * Every value from the data reaches the page through `esc` (HTML-escaped) or as a text property.
 */
(function () {
    "use strict";

    // Leaflet focuses the map on mousedown to enable its keyboard controls; inside the component frame that focus
    // scrolls the *page* to bring the whole map into view, so the press lands elsewhere and the first click on a
    // marker is lost whenever the map is partly below the fold (issue 11). Focus without scrolling.
    L.Map.Keyboard.prototype._onMouseDown = function () {
        if (!this._focused) { this._map._container.focus({preventScroll: true}); }
    };

    var esc = function (s) {
        return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
    };

    var CLUSTER_RADIUS = 45;      // px, as the former MarkerCluster setting
    var CLUSTER_MAX_ZOOM = 16;    // from zoom 17 every player is drawn on its own
    var PAD = 0.25;               // draw a quarter of a screen around the view, so that small pans show no gap

    function EntityMap(map) {
        this.map = map;
        this.points = L.featureGroup().addTo(map);  // single players: their clicks reach streamlit-folium
        this.bubbles = L.layerGroup().addTo(map);   // cluster bubbles: a click zooms in
        this.drawn = {};                            // key -> marker currently on the map
        this.kinds = {};                            // kind index -> shown (the layer control's per-kind layers)
        this.rows = [];
        this.text = null;
        this.index = null;
        this.indexed = [];                          // positions in `rows` of the clustered players
        this.dataKey = null;
        this.viewKey = null;
        this.selected = null;
        this.unclustered = null;                    // a player chosen elsewhere, drawn apart from the clusters
        this.unclusteredAt = null;
        this.clickedId = null;                      // the last player clicked here (no need to move to it)
        this.clustering = true;
        this.rendered = false;
        this.pending = null;
        map.on("moveend", this.schedule, this);
    }

    EntityMap.of = function (map) {
        if (!map.__entityMap) {
            map.__entityMap = new EntityMap(map);
            window.entityMap = map.__entityMap;
        }
        return map.__entityMap;
    };

    var fetched = {};
    /* Every row of a data version, fetched once for the life of the frame (and cached by the browser). */
    EntityMap.fetchRows = function (src) {
        if (!fetched[src]) {
            fetched[src] = window.fetch(src).then(function (response) {
                if (!response.ok) { delete fetched[src]; throw new Error("rows " + response.status); }
                return response.json();
            });
        }
        return fetched[src];
    };

    /* A per-kind layer of the layer control: shown kinds are drawn, hidden ones are not. */
    EntityMap.kindLayer = function (map, group, kind) {
        var engine = EntityMap.of(map);
        group.on("add", function () { engine.setKind(kind, true); });
        group.on("remove", function () { engine.setKind(kind, false); });
        engine.setKind(kind, !!group._map);
    };

    EntityMap.prototype.setKind = function (kind, shown) {
        if (this.kinds[kind] !== shown) {
            this.kinds[kind] = shown;  // the clustering is rebuilt if the kinds differ once the swap has settled
            this.schedule();
        }
    };

    /* options: {rows | src + positions, text, key, selected, view: {key, bounds, maxZoom}, clustering, focusZoom}
       rows: the selection's rows inline; or src, the URL of every row (fetched once per data version) and
       positions, those of the selection in it (null: all).
       focusZoom: the zoom to go to a player chosen elsewhere (none: the view alone frames it, as on a profile). */
    EntityMap.prototype.show = function (options) {
        if (options.src && !options.rows) {
            var self = this, src = options.src;
            EntityMap.fetchRows(src).then(function (all) {
                if (self.latest !== options) { return; }  // a newer selection arrived meanwhile
                var positions = options.positions;
                options.rows = positions ? positions.map(function (i) { return all[i]; }) : all;
                self.show(options);
            });
            this.latest = options;
            return;
        }
        this.latest = options;
        this.rows = options.rows;
        this.text = options.text;
        this.clustering = options.clustering !== false;
        this.focusZoom = options.focusZoom || null;
        this.rowsKey = options.key;
        if (options.selected !== this.selected) {
            this.selected = options.selected;
            if (this.selected && this.selected !== this.clickedId) {
                // Chosen elsewhere (a shared link, the list): go to it, and draw it apart from any cluster.
                this.unclustered = this.selected;
                if (this.focusZoom) { this.pendingFocus = this.selected; }
            }
            // Chosen by a click here: its marker is on screen with its popup open; leave both as they are.
            if (!this.selected) { this.map.closePopup(); }
        }
        if (options.view && options.view.key !== this.viewKey) {
            this.viewKey = options.view.key;
            this.pendingView = options.view;
        }
        this.schedule();
    };

    EntityMap.prototype.schedule = function () {
        if (this.pending === null) {
            var self = this;
            // The layers streamlit-folium swaps are removed and added in one go: look once they have settled.
            this.pending = window.setTimeout(function () { self.pending = null; self.update(); }, 0);
        }
    };

    EntityMap.prototype.update = function () {
        if (!this.text) { return; }
        var size = this.map.invalidateSize({pan: false}).getSize();
        if (!size.x || !size.y) {  // the frame is not laid out yet: a view computed now would be wrong
            var self = this;
            window.setTimeout(function () { self.update(); }, 50);
            return;
        }
        var key = this.rowsKey + "|" + JSON.stringify(this.kinds) + "|" + this.unclustered + "|" + this.clustering;
        if (key !== this.dataKey) {
            this.dataKey = key;
            this.buildIndex();
        }
        if (this.pendingView || this.pendingFocus) {
            var view = this.pendingView, focus = this.pendingFocus;
            this.pendingView = this.pendingFocus = null;
            var row = focus ? this.rowOf(focus) : null;
            if (row) {
                this.map.setView([row[0], row[1]], Math.max(this.map.getZoom(), this.focusZoom), {animate: false});
            } else if (view && view.bounds) {
                this.map.fitBounds(view.bounds, {padding: [28, 28], maxZoom: view.maxZoom || 15, animate: false});
            }
        }
        this.draw();
    };

    EntityMap.prototype.rowOf = function (id) {
        for (var i = 0; i < this.rows.length; i++) {
            if (this.rows[i][2] === id && this.kinds[this.rows[i][4]] !== false) { return this.rows[i]; }
        }
        return null;
    };

    EntityMap.prototype.buildIndex = function () {
        var features = [];
        this.indexed = [];
        this.unclusteredAt = null;
        for (var i = 0; i < this.rows.length; i++) {
            var r = this.rows[i];
            if (this.kinds[r[4]] === false) { continue; }
            if (r[2] === this.unclustered) { this.unclusteredAt = i; continue; }
            this.indexed.push(i);
            features.push({type: "Feature", properties: {i: i},
                           geometry: {type: "Point", coordinates: [r[1], r[0]]}});
        }
        this.index = new Supercluster({radius: this.clustering ? CLUSTER_RADIUS : 0,
                                       maxZoom: this.clustering ? CLUSTER_MAX_ZOOM : 0, minPoints: 2});
        this.index.load(features);
        this.features = features;
        this.clear();
    };

    EntityMap.prototype.clear = function () {
        for (var key in this.drawn) {
            if (Object.prototype.hasOwnProperty.call(this.drawn, key)) { this.remove(key); }
        }
    };

    EntityMap.prototype.remove = function (key) {
        var marker = this.drawn[key];
        this.points.removeLayer(marker);
        this.bubbles.removeLayer(marker);
        delete this.drawn[key];
    };

    EntityMap.prototype.draw = function () {
        var bounds = this.map.getBounds().pad(PAD);
        var zoom = this.map.getZoom();
        var items = this.clustering
            ? this.index.getClusters([Math.max(bounds.getWest(), -180), Math.max(bounds.getSouth(), -85),
                                      Math.min(bounds.getEast(), 180), Math.min(bounds.getNorth(), 85)],
                                     Math.round(zoom))
            : this.features;
        var wanted = {};
        for (var i = 0; i < items.length; i++) {
            var item = items[i];
            var key = item.properties.cluster ? "c" + item.properties.cluster_id + "@" + Math.round(zoom)
                                              : "p" + item.properties.i;
            wanted[key] = true;
            if (!this.drawn[key]) {
                this.drawn[key] = item.properties.cluster ? this.bubble(item) : this.marker(item.properties.i);
            }
        }
        if (this.unclusteredAt !== null) {
            wanted.u = true;
            if (!this.drawn.u) { this.drawn.u = this.marker(this.unclusteredAt); }
        }
        var selected = this.selected ? this.rowOf(this.selected) : null;
        if (selected) {
            wanted.halo = true;
            if (!this.drawn.halo || this.drawn.halo.__id !== selected[2]) {
                if (this.drawn.halo) { this.remove("halo"); }
                this.drawn.halo = this.halo(selected);
            }
        }
        for (var drawnKey in this.drawn) {
            if (Object.prototype.hasOwnProperty.call(this.drawn, drawnKey) && !wanted[drawnKey]) {
                this.remove(drawnKey);
            }
        }
        this.rendered = true;
    };

    EntityMap.prototype.popup = function (r) {
        var text = this.text;
        var parts = ["<div class='entity-popup'><strong>" + esc(r[3]) + "</strong>",
                     "<div>" + esc(text.labels[r[5]]) + " · " + esc(r[6]) + "</div>"];
        if (r[7].length) {
            parts.push("<div class='tags'>"
                       + esc(r[7].map(function (i) { return text.labels[i]; }).join(", ")) + "</div>");
        }
        if (/^https?:\/\//i.test(r[8])) {
            parts.push("<div><a href='" + esc(r[8]) + "' target='_blank' rel='noopener noreferrer'>"
                       + esc(text.website) + "</a></div>");
        }
        // Relative to the app page around the map frame, not to the frame's own address; in a new tab, since the
        // component's sandbox does not let the frame navigate the page itself.
        var link = text.correction_url + encodeURIComponent(r[2]);
        try { link = new URL(link, window.top.location.href).href; } catch (e) {}
        parts.push("<div><a class='correction' href='" + esc(link) + "' target='_blank' rel='noopener'>"
                   + esc(text.suggest) + "</a></div></div>");
        return parts.join("");
    };

    /* A ring around the selected player, above its marker; it takes no clicks. */
    EntityMap.prototype.halo = function (r) {
        var marker = L.marker([r[0], r[1]], {
            icon: L.divIcon({html: "", className: "entity-halo", iconSize: [30, 30], iconAnchor: [15, 15]}),
            interactive: false, keyboard: false, zIndexOffset: 1000});
        marker.__id = r[2];
        this.bubbles.addLayer(marker);
        return marker;
    };

    EntityMap.prototype.marker = function (position) {
        var r = this.rows[position], self = this;
        var icon = L.divIcon({html: this.text.icons[r[4]], className: "entity-icon", iconSize: [16, 16],
                              iconAnchor: [8, 8], popupAnchor: [0, -8], tooltipAnchor: [8, 0]});
        var marker = L.marker([r[0], r[1]], {icon: icon, title: r[3], alt: r[3], keyboard: true, riseOnHover: true});
        marker.__id = r[2];
        marker.bindTooltip(esc(r[3]) + " — " + esc(this.text.kinds[r[4]]));
        marker.bindPopup(function () { return self.popup(r); }, {maxWidth: 280, autoPanPadding: [20, 20]});
        marker.on("click", function () { self.clickedId = r[2]; });
        this.points.addLayer(marker);
        return marker;
    };

    EntityMap.prototype.bubble = function (cluster) {
        var count = cluster.properties.point_count, self = this;
        var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 48;
        var locale = this.text.locale || undefined;
        var label = count >= 1000 ? (Math.round(count / 100) / 10).toLocaleString(locale) + "k"
                                  : count.toLocaleString(locale);
        var marker = L.marker([cluster.geometry.coordinates[1], cluster.geometry.coordinates[0]], {
            icon: L.divIcon({html: "<div><span>" + label + "</span></div>", className: "entity-cluster",
                             iconSize: [size, size]}),
            title: this.text.cluster.replace("{count}", count.toLocaleString(locale)), keyboard: true});
        marker.on("click", function () {
            var zoom = Math.min(self.index.getClusterExpansionZoom(cluster.properties.cluster_id),
                                self.map.getMaxZoom());
            self.map.setView(marker.getLatLng(), zoom);
        });
        this.bubbles.addLayer(marker);
        return marker;
    };

    /* For tests and the benchmark: the selection is drawn, and how many players it holds. */
    EntityMap.prototype.ready = function () { return this.rendered; };
    EntityMap.prototype.count = function () {
        return this.indexed.length + (this.unclusteredAt !== null ? 1 : 0);
    };

    window.EntityMap = EntityMap;
})();
