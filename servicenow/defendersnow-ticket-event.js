/*
 * DefenderSnow ticket event: business rule (global scope).
 *
 *   Table:     incident (make two copies of this rule for problem and change_request)
 *   When:      after        Update: checked        Insert/Delete/Query: unchecked
 *   Advanced:  checked, Condition:
 *              current.correlation_display == 'DefenderSnow' && !current.correlation_id.nil()
 *
 * Tells DefenderSnow that one of its tickets changed. The event names the ticket (table, sys_id,
 * correlation_id) and which fields changed, never their values: DefenderSnow reads the ticket itself
 * with its own credentials. It is signed with the integration's webhook secret (POST
 * /api/integrations/{id}/webhook answers it once):
 *
 *   X-DefenderSnow-Timestamp: <Unix seconds>
 *   X-DefenderSnow-Signature: v1=<Base64 of HMAC-SHA256(key = the secret's UTF-8 bytes,
 *                                                        data = timestamp + "." + body)>
 *
 * HMAC: GlideCertificateEncryption.generateMac(key, "HmacSHA256", data), which takes the key Base64
 * encoded (hence GlideStringUtil.base64Encode of the secret) and returns the MAC in Base64. In a scoped
 * application the scoped equivalent is new CertificateEncryption().generateMac(...), same arguments.
 *
 * Sent with RESTMessageV2.executeAsync, so the user's update never waits for DefenderSnow; a failed
 * delivery is not retried (DefenderSnow's daily sync is the safety net).
 *
 * System properties (sys_properties), created as in the README. One integration on the instance:
 *   defendersnow.ticket_events.url     https://<function app>/api/ticket-events/<integration id>
 *                                      (not /api/integrations/<id>/ticket-events, the earlier path, now 410 Gone)
 *   defendersnow.ticket_events.secret  the webhook secret (type password2, read roles: admin)
 * Several integrations on the instance (each signing in as a ServiceNow user of its own): the ticket's
 * creator names the integration, as DefenderSnow creates each ticket as its integration's user
 * (EnableWebhook's answer, `routing`, gives the three names):
 *   defendersnow.ticket_events.routes          JSON object, user name -> integration id,
 *                                              e.g. {"svc_defendersnow_prod": "0f3c..."}
 *   defendersnow.ticket_events.<id>.url        that integration's URL
 *   defendersnow.ticket_events.<id>.secret     that integration's secret (type password2)
 * A creator not in the routes falls back to the two properties of one integration, when they are set.
 */
(function executeRule(current, previous /* null when async */) {
    var url = gs.getProperty('defendersnow.ticket_events.url');
    var secret = gs.getProperty('defendersnow.ticket_events.secret');
    var routes = gs.getProperty('defendersnow.ticket_events.routes');
    if (routes) {
        var integrationId = null;
        try {
            // User names are compared without case, as the instance looks them up.
            var map = JSON.parse(routes);
            var creator = String(current.getValue('sys_created_by')).toLowerCase();
            for (var name in map) {
                if (map.hasOwnProperty(name) && name.toLowerCase() === creator) {
                    integrationId = String(map[name]);
                }
            }
        } catch (e) {
            gs.error('DefenderSnow ticket event: defendersnow.ticket_events.routes is not a JSON object: ' + e);
        }
        if (integrationId) {
            url = gs.getProperty('defendersnow.ticket_events.' + integrationId + '.url');
            secret = gs.getProperty('defendersnow.ticket_events.' + integrationId + '.secret');
        }
    }
    if (!url || !secret) {
        return;
    }

    var changed = [];
    var elements = current.getElements();
    for (var i = 0; i < elements.size(); i++) {
        var element = elements.get(i);
        var name = String(element.getName());
        if (name.indexOf('sys_') !== 0 && element.changes()) {
            changed.push(name);
        }
    }

    var body = JSON.stringify({
        table: String(current.getTableName()),
        sys_id: String(current.getUniqueValue()),
        correlation_id: String(current.getValue('correlation_id')),
        changed_fields: changed
    });
    var timestamp = String(Math.floor(new GlideDateTime().getNumericValue() / 1000));
    var mac = new GlideCertificateEncryption().generateMac(GlideStringUtil.base64Encode(secret), 'HmacSHA256', timestamp + '.' + body);

    var request = new sn_ws.RESTMessageV2('DefenderSnow ticket event', 'post');
    request.setEndpoint(url);
    request.setRequestHeader('Content-Type', 'application/json');
    request.setRequestHeader('X-DefenderSnow-Timestamp', timestamp);
    request.setRequestHeader('X-DefenderSnow-Signature', 'v1=' + mac);
    request.setRequestBody(body);
    request.executeAsync();
})(current, previous);
