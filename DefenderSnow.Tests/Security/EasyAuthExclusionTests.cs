using DefenderSnow.Functions.TicketEvents;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// App Service authentication's <c>excludedPaths</c> (infra/app/function-app.bicep) against the functions' routes:
/// only the two documented forms (an exact path, or one ending in <c>/*</c>), every anonymous route surely under one,
/// so ServiceNow and health probes get through, and no route that needs sign-in possibly under one.
/// </summary>
[Category("Infrastructure")]
public sealed class EasyAuthExclusionTests
{
    /// <summary>The Functions route prefix (host.json sets none, so the default).</summary>
    private const string RoutePrefix = "/api/";

    /// <summary>
    /// Anonymous functions left behind App Service authentication on purpose: the retired ticket-event route only says
    /// where events go now (see <see cref="RetiredTicketEventRoute"/>), so in Azure an unauthenticated caller may as
    /// well get the platform's 401.
    /// </summary>
    private static readonly string[] BehindAuthenticationOnPurpose = [RetiredTicketEventRoute.FunctionName];

    public static IEnumerable<TestCaseData> Excluded() =>
        FunctionAppBicep.ExcludedPaths().Select(p => new TestCaseData(p).SetName($"{{m}}({p})"));

    public static IEnumerable<TestCaseData> Anonymous() =>
        HttpFunctionCatalog.All.Where(f => f.Level == AuthorizationLevel.Anonymous && !BehindAuthenticationOnPurpose.Contains(f.Name))
            .Select(f => new TestCaseData(f.Name, RoutePrefix + f.Route).SetName($"{{m}}({f.Name})"));

    public static IEnumerable<TestCaseData> Authenticated() =>
        HttpFunctionCatalog.All.Where(f => f.Level != AuthorizationLevel.Anonymous)
            .Select(f => new TestCaseData(f.Name, RoutePrefix + f.Route).SetName($"{{m}}({f.Name})"));

    [Test]
    public void The_guards_see_the_exclusions_and_both_kinds_of_function()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FunctionAppBicep.ExcludedPaths(), Does.Contain("/api/health"));
            Assert.That(Anonymous().Count(), Is.GreaterThanOrEqualTo(2), "health and the ticket events");
            Assert.That(Authenticated().Count(), Is.GreaterThan(10));
        });
    }

    [TestCaseSource(nameof(Excluded))]
    public void An_excluded_path_is_exact_or_ends_in_slash_star(string excluded)
    {
        var body = excluded.EndsWith("/*", StringComparison.Ordinal) ? excluded[..^2] : excluded;

        Assert.Multiple(() =>
        {
            Assert.That(excluded, Does.StartWith(RoutePrefix), "below the Functions route prefix");
            Assert.That(body, Does.Not.Contain("*"), "a '*' only as the last segment: other wildcards are undocumented");
            Assert.That(body, Does.Not.EndWith("/").And.Not.Contain("//").And.Not.Contain("?").And.Not.Contain("{"), "a plain path");
        });
    }

    [TestCaseSource(nameof(Anonymous))]
    public void An_anonymous_function_lies_under_an_excluded_path(string function, string route)
    {
        var excluded = FunctionAppBicep.ExcludedPaths();

        Assert.That(excluded.Any(e => SurelyCovers(e, route)), Is.True, $"{function} ({route}) is anonymous but App Service authentication would refuse it: exclude it in infra/app/function-app.bicep ({string.Join(", ", excluded)})");
    }

    [TestCaseSource(nameof(Authenticated))]
    public void A_function_that_needs_sign_in_lies_under_no_excluded_path(string function, string route)
    {
        var covering = FunctionAppBicep.ExcludedPaths().Where(e => MayCover(e, route)).ToList();

        Assert.That(covering, Is.Empty, $"{function} ({route}) needs sign-in but App Service authentication may let it through");
    }

    [Test]
    public void Only_the_retired_route_is_anonymous_outside_the_exclusions()
    {
        var excluded = FunctionAppBicep.ExcludedPaths();
        var outside = HttpFunctionCatalog.All
            .Where(f => f.Level == AuthorizationLevel.Anonymous && !excluded.Any(e => SurelyCovers(e, RoutePrefix + f.Route)))
            .Select(f => f.Name);

        Assert.That(outside, Is.EquivalentTo(BehindAuthenticationOnPurpose));
    }

    [TestCase("/api/health", "/api/health", true)]
    [TestCase("/api/ticket-events/*", "/api/ticket-events/{integrationId}", true)]
    [TestCase("/api/ticket-events/*", "/api/ticket-events", false)]
    [TestCase("/api/ticket-events/*", "/api/integrations/{id}/ticket-events", false)]
    [TestCase("/api/ticket-events/*", "/api/ticket-events/{id}/more", false)]
    [TestCase("/api/health", "/api/{anything}", false)]
    public void Surely_covers_only_what_every_request_of_the_route_matches(string excluded, string route, bool expected) =>
        Assert.That(SurelyCovers(excluded, route), Is.EqualTo(expected));

    [TestCase("/api/health", "/api/{anything}", true)]
    [TestCase("/api/ticket-events/*", "/api/{kind}/{id}", true)]
    [TestCase("/api/ticket-events/*", "/api/ticket-events/{id}/more", true)]
    [TestCase("/api/Ticket-Events/*", "/api/ticket-events/{id}", true)]
    [TestCase("/api/ticket-events/*", "/api/ticket-events", false)]
    [TestCase("/api/ticket-events/*", "/api/integrations/{id}/ticket-events", false)]
    [TestCase("/api/health", "/api/health/{id}", false)]
    public void May_cover_whatever_some_request_of_the_route_could_match(string excluded, string route, bool expected) =>
        Assert.That(MayCover(excluded, route), Is.EqualTo(expected));

    /// <summary>
    /// Every request of <paramref name="route"/> matches <paramref name="excluded"/>: the same literal segments (exactly as
    /// written, no case folding assumed), and for <c>/*</c> exactly one segment more, whatever the documentation leaves open
    /// about deeper ones.
    /// </summary>
    private static bool SurelyCovers(string excluded, string route)
    {
        var (prefix, wildcard) = Parse(excluded);
        var segments = Segments(route);
        var literal = segments.Take(prefix.Length).Zip(prefix).All(p => !IsParameter(p.First) && string.Equals(p.First, p.Second, StringComparison.Ordinal));
        return literal && segments.Length == prefix.Length + (wildcard ? 1 : 0);
    }

    /// <summary>
    /// Some request of <paramref name="route"/> could match <paramref name="excluded"/>: a parameter matches any segment,
    /// literals match regardless of case, and <c>/*</c> takes any depth.
    /// </summary>
    private static bool MayCover(string excluded, string route)
    {
        var (prefix, wildcard) = Parse(excluded);
        var segments = Segments(route);
        var matches = segments.Take(prefix.Length).Zip(prefix).All(p => IsParameter(p.First) || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
        return matches && (wildcard ? segments.Length > prefix.Length : segments.Length == prefix.Length);
    }

    private static (string[] Prefix, bool Wildcard) Parse(string excluded) =>
        excluded.EndsWith("/*", StringComparison.Ordinal) ? (Segments(excluded[..^2]), true) : (Segments(excluded), false);

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');
}
