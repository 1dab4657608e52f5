// Runs servicenow/defendersnow-ticket-event.js as the instance would, with the few Glide APIs it uses stood in for
// (their documented behaviour: gs.getProperty returns the property's value, undefined-ish when unset;
// GlideCertificateEncryption.generateMac(base64Key, "HmacSHA256", data) returns the Base64 MAC;
// GlideStringUtil.base64Encode; GlideDateTime.getNumericValue in milliseconds; RESTMessageV2 records the request).
// Usage: node run-business-rule.js <rule.js> <scenario.json>; prints the requests the rule sent as JSON.
'use strict';
const fs = require('fs');
const vm = require('vm');
const crypto = require('crypto');

const [rulePath, scenarioPath] = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));
const sent = [];
const errors = [];

const context = {
    JSON,
    String,
    Math,
    gs: {
        getProperty: name => Object.prototype.hasOwnProperty.call(scenario.properties, name) ? scenario.properties[name] : null,
        error: message => errors.push(String(message)),
    },
    GlideStringUtil: { base64Encode: text => Buffer.from(text, 'utf8').toString('base64') },
    GlideCertificateEncryption: function () {
        this.generateMac = (base64Key, algorithm, data) => {
            if (algorithm !== 'HmacSHA256') throw new Error('unexpected algorithm ' + algorithm);
            return crypto.createHmac('sha256', Buffer.from(base64Key, 'base64')).update(data, 'utf8').digest('base64');
        };
    },
    GlideDateTime: function () { this.getNumericValue = () => scenario.nowUnixSeconds * 1000; },
    sn_ws: {
        RESTMessageV2: function (name, method) {
            const request = { name, method, headers: {} };
            this.setEndpoint = url => { request.url = url; };
            this.setRequestHeader = (header, value) => { request.headers[header] = value; };
            this.setRequestBody = body => { request.body = body; };
            this.executeAsync = () => { sent.push(request); };
        },
    },
};

const values = scenario.current.values;
const element = name => ({ getName: () => name, changes: () => scenario.current.changed.includes(name) });
const names = Object.keys(values);
context.current = {
    getElements: () => ({ size: () => names.length, get: i => element(names[i]) }),
    getTableName: () => scenario.current.table,
    getUniqueValue: () => values.sys_id,
    getValue: name => Object.prototype.hasOwnProperty.call(values, name) ? values[name] : null,
};
context.previous = null;

vm.runInNewContext(fs.readFileSync(rulePath, 'utf8'), context, { filename: rulePath });
process.stdout.write(JSON.stringify({ sent, errors }));
