using DefenderSnow.Core.Errors;
using DefenderSnow.Simulators.ServiceNow;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// ServiceNow runs an encoded-query value that starts with <c>javascript:</c> as a server-side script (the Table API
/// documents <c>caller_id=javascript:gs.getUserID()</c>: https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html),
/// and a URL scheme is not case-sensitive, so no spelling may be trusted to be inert. Every spelling, with or without leading white space, of it, in every
/// client call that puts a caller's value into a query, is refused before a request is sent (issue 26, item 7).
/// </summary>
[TestFixture]
public sealed class ScriptQueryValueTests
{
    private const string Script = "gs.getUserID()";

    /// <summary>Every upper/lower-case spelling of <c>javascript</c>: 2^10 of them.</summary>
    private static IEnumerable<string> EveryCase()
    {
        const string word = "javascript";
        for (var mask = 0; mask < 1 << word.Length; mask++)
        {
            yield return new string(word.Select((c, i) => (mask & (1 << i)) != 0 ? char.ToUpperInvariant(c) : c).ToArray());
        }
    }

    /// <summary>Leading white space, which a parser may well skip; tabs and line breaks are control characters, refused on their own.</summary>
    private static readonly string[] LeadingSpace = [" ", "   ", "\u00a0", "\u2003", " \u00a0 "];

    [Test]
    public async Task A_script_prefix_in_any_case_never_reaches_ServiceNow()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example"));
        var spellings = EveryCase().ToList();
        Assert.That(spellings.Distinct(StringComparer.Ordinal).Count(), Is.EqualTo(1024));

        foreach (var word in spellings)
        {
            await AssertRefusedAsync(env, $"{word}:{Script}");
        }

        Assert.That(env.Simulator.TotalRequests, Is.Zero);
    }

    [Test]
    public async Task A_script_prefix_after_leading_white_space_never_reaches_ServiceNow()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example"));

        foreach (var space in LeadingSpace)
        {
            foreach (var word in new[] { "javascript", "JavaScript", "JAVASCRIPT", "jAVAsCRIPT" })
            {
                await AssertRefusedAsync(env, $"{space}{word}:{Script}");
            }
        }

        Assert.That(env.Simulator.TotalRequests, Is.Zero);
    }

    [Test]
    public async Task A_value_that_only_mentions_javascript_later_is_asked_for()
    {
        // The refusal is about a script prefix, not the word: a user called "javascript.fan" is looked up as any other.
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("javascript.fan", "fan@contoso.example"));

        var user = await env.Client.ResolveUserAsync("javascript.fan", "assignedTo", CancellationToken.None);

        Assert.That(user.UserName, Is.EqualTo("javascript.fan"));
    }

    /// <summary>Each call that puts a caller's value into an encoded query refuses it, naming the field and the reason.</summary>
    private static async Task AssertRefusedAsync(ServiceNowTestEnvironment env, string value)
    {
        var calls = new (string Field, Func<Task> Call)[]
        {
            ("assignedTo", () => env.Client.ResolveUserAsync(value, "assignedTo", CancellationToken.None)),
            ("assignmentGroup", () => env.Client.ResolveGroupAsync(value, "assignmentGroup", CancellationToken.None)),
            ("correlationId", () => env.Client.FindByCorrelationIdAsync("incident", value, CancellationToken.None)),
            ("correlationId", () => env.Client.FindAllByCorrelationIdAsync("incident", value, CancellationToken.None)),
        };
        foreach (var (field, call) in calls)
        {
            ValidationException? refused = null;
            try
            {
                await call();
            }
            catch (ValidationException e)
            {
                refused = e;
            }

            Assert.That(refused, Is.Not.Null, $"{field}: '{value}' was sent to ServiceNow");
            Assert.That(refused!.Errors[field].Single(), Does.Contain("javascript:"), $"{field}: '{value}' was refused for another reason");
        }
    }
}
