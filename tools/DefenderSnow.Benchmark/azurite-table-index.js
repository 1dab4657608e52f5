// Preloaded into Azurite by the benchmark (node -r), never by the test suite.
//
// Azurite's table store (LokiJS) finds a row by PartitionKey and RowKey by scanning the whole partition,
// and answers every query page by filtering and sorting the whole table. An integration's assignments
// share one partition, so at 100,000 live assignments (200,000 rows with their look-up rows) seeding
// alone would take hours and every page of a listing costs a full sort: the benchmark would measure
// the emulator, not the app. Azure Table Storage finds a row by its keys directly and reads a query from
// its place in key order; this gives Azurite the same shape:
//   - a map from (PartitionKey, RowKey) to the row, kept up to date by the collection's own events;
//   - the rows kept in key order, so a page starts at its continuation by binary search and stops after
//     `top + 1` matches, which is what the original returns (same filter, same order, same limit).
// Nothing else changes: the same rows, the same errors, the same ETags, the same batch rules.
// It targets azurite@3.35.0 (package.json pins it) and refuses to start if the shapes it patches moved.
"use strict";

const path = require("path");

const azuriteSource = path.dirname(process.argv[1]);
const storeModule = require(path.join(azuriteSource, "table", "persistence", "LokiTableMetadataStore.js"));
const queryGenerator = require(path.join(azuriteSource, "table", "persistence", "LokiTableStoreQueryGenerator.js")).default;
const Loki = require(require.resolve("lokijs", { paths: [azuriteSource] }));
const Store = storeModule.default;
const Collection = Loki.Collection;

for (const [owner, name] of [[Store.prototype, "queryTableEntities"], [Store.prototype, "getEntityCollection"], [Store.prototype, "getMaxResultsOption"],
    [Store.prototype, "adjustQueryResultforTop"], [Store.prototype, "decodeContinuationHeader"], [queryGenerator, "generateQueryForPersistenceLayer"],
    [Collection.prototype, "findOne"], [Collection.prototype, "on"]]) {
    if (typeof owner[name] !== "function") {
        throw new Error(`azurite-table-index: ${name} is not where azurite@3.35.0 has it; the benchmark's Azurite patch must be updated.`);
    }
}

// Key order exactly as Azurite's own query sorts: PartitionKey, then RowKey, by JavaScript string comparison.
function compare(pk1, rk1, pk2, rk2) {
    if (pk1 !== pk2) {
        return pk1 > pk2 ? 1 : -1;
    }

    if (rk1 !== rk2) {
        return rk1 > rk2 ? 1 : -1;
    }

    return 0;
}

/** First position whose row is at or after (pk, rk). */
function lowerBound(rows, pk, rk) {
    let low = 0;
    let high = rows.length;
    while (low < high) {
        const middle = (low + high) >>> 1;
        if (compare(rows[middle].PartitionKey, rows[middle].RowKey, pk, rk) < 0) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }

    return low;
}

/**
 * The partition a filter confines its rows to: a filter that is a conjunction starting with
 * `PartitionKey eq '…'` (every filter the app sends), so its rows are one contiguous run in key order.
 * Anything else (an `or`, a leading `not`) gets undefined and is read from the start, as before.
 */
function partitionOf(filter) {
    if (typeof filter !== "string") {
        return undefined;
    }

    const match = /^\s*PartitionKey\s+eq\s+'((?:[^']|'')*)'(?:\s+and\s+|\s*$)/i.exec(filter);
    if (match === null || /\bor\b/i.test(filter.replace(/'(?:[^']|'')*'/g, "''"))) {
        return undefined;
    }

    return match[1].replace(/''/g, "'");
}

const keyOf = (pk, rk) => `${pk.length}:${pk}${rk}`;
const indexes = new WeakMap();

function isEntityCollection(collection) {
    return collection.data.length === 0 || typeof collection.data[0].PartitionKey === "string";
}

/** The collection's key map and ordered rows, built once and then followed through its insert, update and delete events. */
function indexOf(collection) {
    let index = indexes.get(collection);
    if (index !== undefined) {
        return index;
    }

    index = { byKey: new Map(), ordered: [] };
    for (const row of collection.data) {
        index.byKey.set(keyOf(row.PartitionKey, row.RowKey), row);
        index.ordered.push(row);
    }

    index.ordered.sort((a, b) => compare(a.PartitionKey, a.RowKey, b.PartitionKey, b.RowKey));
    const place = (row) => {
        const at = lowerBound(index.ordered, row.PartitionKey, row.RowKey);
        const same = at < index.ordered.length && compare(index.ordered[at].PartitionKey, index.ordered[at].RowKey, row.PartitionKey, row.RowKey) === 0;
        index.ordered.splice(at, same ? 1 : 0, row);
        index.byKey.set(keyOf(row.PartitionKey, row.RowKey), row);
    };
    const forget = (row) => {
        const key = keyOf(row.PartitionKey, row.RowKey);
        if (index.byKey.get(key) === row) {
            index.byKey.delete(key);
            const at = lowerBound(index.ordered, row.PartitionKey, row.RowKey);
            if (at < index.ordered.length && index.ordered[at] === row) {
                index.ordered.splice(at, 1);
            }
        }
    };
    const each = (rows, action) => (Array.isArray(rows) ? rows : [rows]).forEach(action);
    collection.on("insert", (rows) => each(rows, place));
    collection.on("update", (rows) => each(rows, place));
    collection.on("delete", (rows) => each(rows, forget));

    // The key map replaces Loki's binary indices on PartitionKey and RowKey, whose upkeep on each removal
    // walks the whole index; nothing else reads them (Loki scans when an index is absent).
    collection.binaryIndices = {};
    collection.adaptiveBinaryIndices = false;
    indexes.set(collection, index);
    return index;
}

const originalFindOne = Collection.prototype.findOne;
Collection.prototype.findOne = function findOne(query) {
    if (query && typeof query.PartitionKey === "string" && typeof query.RowKey === "string" && Object.keys(query).length === 2 && isEntityCollection(this)) {
        return indexOf(this).byKey.get(keyOf(query.PartitionKey, query.RowKey)) ?? null;
    }

    return originalFindOne.apply(this, arguments);
};

const originalQuery = Store.prototype.queryTableEntities;
Store.prototype.queryTableEntities = async function queryTableEntities(context, account, table, queryOptions, nextPartitionKey, nextRowKey) {
    const partitionKey = this.decodeContinuationHeader(nextPartitionKey);
    const rowKey = this.decodeContinuationHeader(nextRowKey);
    if (partitionKey === undefined && rowKey !== undefined) {
        return originalQuery.apply(this, arguments);
    }

    const collection = this.getEntityCollection(account, table, context);
    const where = queryGenerator.generateQueryForPersistenceLayer(queryOptions, context);
    const maxResults = this.getMaxResultsOption(queryOptions);
    const ordered = indexOf(collection).ordered;
    const partition = partitionOf(queryOptions.filter);
    let at = partitionKey === undefined ? 0 : lowerBound(ordered, partitionKey, rowKey ?? "");
    if (partition !== undefined && (partitionKey === undefined || partition > partitionKey)) {
        at = lowerBound(ordered, partition, "");
    }

    const result = [];
    for (; at < ordered.length && result.length <= maxResults; at++) {
        if (partition !== undefined && ordered[at].PartitionKey !== partition) {
            break;
        }

        if (where(ordered[at])) {
            result.push(ordered[at]);
        }
    }

    const response = this.adjustQueryResultforTop(result, maxResults);
    return [result, response.nextPartitionKeyResponse, response.nextRowKeyResponse];
};
