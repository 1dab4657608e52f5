using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Storage;

/// <summary>Continuation tokens round-trip for their own listing only; anything else is a 400 on continuationToken.</summary>
public sealed class ContinuationTokenCodecTests
{
    private static readonly string[] ContinuationToken = ["continuationToken"];

    private const string Listing = "integrations|/subscriptions/1";
    private const string StorageToken = "1!16!aW50ZWdyYXRpb25z 1!48!MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY-";

    private string _prefix = null!;
    private ContinuationTokenCodec _codec = null!;

    [SetUp]
    public async Task SetUp()
    {
        _prefix = TestTables.NewPrefix();
        _codec = new ContinuationTokenCodec(await TestTables.CreateProviderAsync(_prefix));
    }

    [Test]
    public async Task A_token_round_trips_and_hides_what_it_carries()
    {
        var token = await _codec.ProtectAsync(StorageToken, Listing, CancellationToken.None);

        Assert.That(token, Does.Not.Contain("aW50ZWdyYXRpb25z"));
        Assert.That(await _codec.UnprotectAsync(token, Listing, CancellationToken.None), Is.EqualTo(StorageToken));
        Assert.That(await _codec.ProtectAsync(null, Listing, CancellationToken.None), Is.Null, "the last page has no token");
        Assert.That(await _codec.UnprotectAsync(null, Listing, CancellationToken.None), Is.Null, "the first page has none either");
    }

    [Test]
    public async Task Another_instance_on_the_same_account_accepts_the_token()
    {
        var token = await _codec.ProtectAsync(StorageToken, Listing, CancellationToken.None);
        var other = new ContinuationTokenCodec(await TestTables.CreateProviderAsync(_prefix));

        Assert.That(await other.UnprotectAsync(token, Listing, CancellationToken.None), Is.EqualTo(StorageToken));
    }

    [Test]
    public async Task A_token_of_another_deployment_is_refused()
    {
        var token = await _codec.ProtectAsync(StorageToken, Listing, CancellationToken.None);
        var stranger = new ContinuationTokenCodec(await TestTables.CreateProviderAsync());

        AssertRefused(() => stranger.UnprotectAsync(token, Listing, CancellationToken.None));
    }

    public static IEnumerable<TestCaseData> Spoilers()
    {
        yield return Spoiler("A truncated token is refused", t => t[..^4]);
        yield return Spoiler("A token with a changed MAC is refused", t => t[..10] + (t[10] == 'A' ? 'B' : 'A') + t[11..]);
        yield return Spoiler("A token with a changed storage token is refused", t => t[..^2] + (t[^2] == 'A' ? 'B' : 'A') + t[^1]);
        yield return Spoiler("A token of another version is refused", t => "v2" + t[2..]);
        yield return Spoiler("A token that is not base64url is refused", t => t + "%");
        yield return Spoiler("A forged token is refused", _ => "v1." + Convert.ToBase64String(new byte[40]).TrimEnd('='));
        yield return Spoiler("A raw storage token is refused", _ => "1!16!aW50ZWdyYXRpb25z");
        yield return Spoiler("An empty token is refused", _ => "v1.");
        yield return Spoiler("An overlong token is refused", _ => "v1." + new string('A', ContinuationTokenCodec.MaxTokenLength));
    }

    [TestCaseSource(nameof(Spoilers))]
    public async Task A_token_this_service_did_not_issue_is_refused(Func<string, string> spoil)
    {
        var token = await _codec.ProtectAsync(StorageToken, Listing, CancellationToken.None);

        AssertRefused(() => _codec.UnprotectAsync(spoil(token!), Listing, CancellationToken.None));
    }

    [Test]
    public async Task A_token_of_another_listing_is_refused()
    {
        var token = await _codec.ProtectAsync(StorageToken, Listing, CancellationToken.None);

        AssertRefused(() => _codec.UnprotectAsync(token, "integrations|/subscriptions/2", CancellationToken.None));
        AssertRefused(() => _codec.UnprotectAsync(token, "assignments|" + Listing, CancellationToken.None));
    }

    private static TestCaseData Spoiler(string name, Func<string, string> spoil) => new TestCaseData(spoil).SetName(name);

    private static void AssertRefused(AsyncTestDelegate unprotect)
    {
        var error = Assert.ThrowsAsync<ValidationException>(unprotect);
        Assert.That(error!.Errors.Keys, Is.EqualTo(ContinuationToken));
    }
}
