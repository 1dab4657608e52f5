using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// Forgery, replay, size and unknown ids: each refused with the status the contract gives, a body that teaches nothing,
/// nothing queued, and one count under its reason.
/// </summary>
[TestFixture]
public sealed class TicketEventRefusalTests : IDisposable, IUsesHarness
{
    private string _integrationId = null!;
    private string _secret = null!;
    private Core.Assignments.Assignment _assignment = null!;
    private MetricRecorder? _metrics;
    private SyncTestContext _context = null!;
    private TicketEventDriver _events = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppWithAnIntegrationWithEvents()
    {
        (_context, _events) = await TicketEventDriver.StartWithAppAsync();
        (_integrationId, _secret) = await _events.IntegrationWithEventsAsync();
        _assignment = await _context.Sync.CreateLiveAssignmentAsync(_integrationId);
        _context.App.ServiceNow.SendTicketEventsTo(null);
        await _events.DeliverEventMessagesAsync();
    }

    [SetUp]
    public void BeginTestMeasuring()
    {
        _metrics = new MetricRecorder(_context.App.Get<IMeterFactory>());
    }

    [TearDown]
    public async Task NothingQueued()
    {
        _metrics?.Dispose();
        await _events.DeliverEventMessagesAsync();
    }

    /// <summary>The recorder of the last test, if its teardown did not run.</summary>
    public void Dispose() => _metrics?.Dispose();

    private string Body => TicketEventDriver.EventBody("incident", _assignment.Ticket.SysId!, _assignment.Id, "state");

    [Test]
    public async Task A_correctly_signed_event_is_accepted_and_a_replay_within_the_window_joins_the_same_read()
    {
        var now = _context.App.Get<TimeProvider>().GetUtcNow();
        var first = await _events.SendSignedAsync(_integrationId, Body, _secret, now);
        var replay = await _events.SendSignedAsync(_integrationId, Body, _secret, now);

        // A replay inside the five minutes is accepted on purpose: the event carries no state, so at worst it costs one
        // more read of a ticket that is ours, and here not even that.
        Assert.That((first.Status, replay.Status), Is.EqualTo((202, 202)), $"{first} {replay}");
        Assert.That(await _events.QueuedEventCountAsync(), Is.EqualTo(1));
    }

    [TestCase(-6, TestName = "A signature over a timestamp six minutes old is refused")]
    [TestCase(6, TestName = "A signature over a timestamp six minutes ahead is refused")]
    [TestCase(-60 * 24, TestName = "A day-old captured request is refused")]
    public async Task Stale_timestamps_are_refused(int minutes)
    {
        var response = await _events.SendSignedAsync(_integrationId, Body, _secret, _context.App.Get<TimeProvider>().GetUtcNow().AddMinutes(minutes));

        AssertRefused(response, 401, "stale-timestamp");
    }

    [Test]
    public async Task A_bad_signature_is_refused()
    {
        var timestamp = _context.App.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var signed = TicketEventSignature.Sign(_secret, timestamp, Encoding.UTF8.GetBytes(Body));
        var tampered = TicketEventSignature.Sign(_secret, timestamp, Encoding.UTF8.GetBytes(Body.Replace("state", "stage", StringComparison.Ordinal)));

        var otherBody = await _events.SendAsync(_integrationId, Body, Headers(timestamp, tampered));
        var otherTimestamp = await _events.SendAsync(_integrationId, Body, Headers(timestamp - 1, signed));
        var garbage = await _events.SendAsync(_integrationId, Body, Headers(timestamp, "v1=" + Convert.ToBase64String(new byte[32])));

        Assert.That((otherBody.Status, otherTimestamp.Status), Is.EqualTo((401, 401)), $"{otherBody} {otherTimestamp}");
        AssertRefused(garbage, 401, "bad-signature", count: 3);
    }

    [Test]
    public async Task Another_integrations_secret_is_refused()
    {
        var other = await _context.Harness.CreateIntegrationAsync();
        var enabled = await _events.EnableWebhookAsync(other);
        var otherSecret = enabled.Json["secret"]!.GetValue<string>();

        var response = await _events.SendSignedAsync(_integrationId, Body, otherSecret);

        AssertRefused(response, 401, "bad-signature");
    }

    [TestCase(null, "v1=AAAA", TestName = "No timestamp header is refused")]
    [TestCase("now", null, TestName = "No signature header is refused")]
    [TestCase("now", "sha256=abc", TestName = "A signature of another scheme is refused")]
    [TestCase("now", "v1=not base64!", TestName = "A signature that is not Base64 is refused")]
    [TestCase("now", "v1=AAAA", TestName = "A signature of the wrong length is refused")]
    [TestCase("-5", "v1=AAAA", TestName = "A negative timestamp is refused")]
    [TestCase("1e9", "v1=AAAA", TestName = "A timestamp that is not digits is refused")]
    public async Task Missing_or_malformed_signature_headers_are_refused(string? timestamp, string? signature)
    {
        var headers = new Dictionary<string, string>();
        if (timestamp is not null)
        {
            headers[TicketEventSignature.TimestampHeader] = timestamp == "now" ? _context.App.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : timestamp;
        }

        if (signature is not null)
        {
            headers[TicketEventSignature.SignatureHeader] = signature;
        }

        AssertRefused(await _events.SendAsync(_integrationId, Body, headers), 401, "missing-signature");
    }

    [Test]
    public async Task An_unknown_integration_is_404_only_for_a_fresh_well_formed_request()
    {
        var unknown = Guid.NewGuid().ToString("N");

        var signed = await _events.SendSignedAsync(unknown, Body, _secret);
        var malformedId = await _events.SendSignedAsync("../../etc/passwd", Body, _secret);
        var unsigned = await _events.SendAsync(unknown, Body, headers: null);
        var withoutEvents = await _events.SendSignedAsync(await _context.Harness.CreateIntegrationAsync(), Body, _secret);

        AssertRefused(signed, 404, "unknown-integration", count: 3);
        Assert.That(malformedId.Status, Is.EqualTo(404));
        Assert.That(withoutEvents.Status, Is.EqualTo(404), "an integration without ticket events is as unknown");

        // Without a fresh signature header the answer is the same 401 whether the id exists or not: nothing to probe.
        Assert.That(unsigned.Status, Is.EqualTo(401));
        Assert.That(unsigned.Body, Is.EqualTo((await _events.SendAsync(_integrationId, Body, headers: null)).Body));
    }

    [Test]
    public async Task An_oversized_body_is_413_whatever_content_length_says()
    {
        var big = TicketEventDriver.EventBody("incident", _assignment.Ticket.SysId!, _assignment.Id, Enumerable.Range(0, 2000).Select(i => $"field_{i}").ToArray());
        Assert.That(Encoding.UTF8.GetByteCount(big), Is.GreaterThan(TicketEventReceiver.MaxBodyBytes));

        var declared = await _events.SendSignedAsync(_integrationId, big, _secret);
        var understated = await _events.SendAsync(_integrationId, big, Headers(_context.App.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds(), "v1=x"), c => c.Request.ContentLength = 10);
        var undeclared = await _events.SendAsync(_integrationId, big, headers: null, c => c.Request.ContentLength = null);

        AssertRefused(declared, 413, "too-large", count: 3);
        Assert.That((understated.Status, undeclared.Status), Is.EqualTo((413, 413)));
    }

    [Test]
    public async Task A_chunked_oversized_body_through_kestrel_is_413()
    {
        using var client = new HttpClient();
        var timestamp = _context.App.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, _events.EventsUri(_integrationId))
        {
            Content = new PushStreamContent(TicketEventReceiver.MaxBodyBytes * 4),
        };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add(TicketEventSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(TicketEventSignature.SignatureHeader, "v1=" + Convert.ToBase64String(new byte[32]));

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await response.Content.ReadAsStringAsync());
        Assert.That(_metrics!.Sum("defendersnow.ticket_events.refused", "reason", "too-large"), Is.EqualTo(1));
    }

    [TestCase("{", "body", TestName = "A signed body that is not JSON is 400")]
    [TestCase("[]", "body", TestName = "A signed JSON array is 400")]
    [TestCase("{\"table\":\"sys_user\",\"sys_id\":\"0123456789abcdef0123456789abcdef\",\"correlation_id\":\"0123456789abcdef0123456789abcdef\"}", "table", TestName = "A signed event of another table is 400")]
    [TestCase("{\"table\":\"incident\",\"sys_id\":\"x\",\"correlation_id\":\"0123456789abcdef0123456789abcdef\"}", "sys_id", TestName = "A signed event with a bad sys_id is 400")]
    [TestCase("{\"table\":\"incident\",\"sys_id\":\"0123456789abcdef0123456789abcdef\"}", "correlation_id", TestName = "A signed event without a correlation id is 400")]
    [TestCase("{\"table\":\"incident\",\"sys_id\":\"0123456789abcdef0123456789abcdef\",\"correlation_id\":\"0123456789abcdef0123456789abcdef\",\"state\":\"7\"}", "body", TestName = "A signed event with field values is 400")]
    public async Task A_signed_body_that_is_not_an_event_is_400_naming_the_field(string body, string field)
    {
        var response = await _events.SendSignedAsync(_integrationId, body, _secret);

        AssertRefused(response, 400, "malformed");
        Assert.That(response.Json["errors"]![field], Is.Not.Null, response.ToString());
    }

    private void AssertRefused(FunctionResponse response, int status, string reason, int count = 1)
    {
        Assert.That(response.Status, Is.EqualTo(status), response.ToString());
        Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
        Assert.That(response.Body, Does.Not.Contain("signature").IgnoreCase.And.Not.Contain("timestamp").IgnoreCase.And.Not.Contain("secret").IgnoreCase, "no hint for a forger");
        Assert.That(_metrics!.Sum("defendersnow.ticket_events.refused", "reason", reason), Is.EqualTo(count), reason);
        Assert.That(_metrics!.Sum("defendersnow.ticket_events.accepted"), Is.Zero);
        Assert.That(_events.QueuedEventCountAsync().GetAwaiter().GetResult(), Is.Zero);
    }

    private static Dictionary<string, string> Headers(long timestamp, string signature) => new()
    {
        [TicketEventSignature.TimestampHeader] = timestamp.ToString(CultureInfo.InvariantCulture),
        [TicketEventSignature.SignatureHeader] = signature,
    };

    /// <summary>A body written in chunks with no Content-Length, as a sender that streams would.</summary>
    private sealed class PushStreamContent(int length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string('a', 4096));
            for (var written = 0; written < length; written += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
