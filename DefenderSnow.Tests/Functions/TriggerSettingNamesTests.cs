using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Hosting;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.Functions;

/// <summary>
/// Every app setting a trigger names (<c>%name%</c> in any string of a trigger or binding attribute) is flat and set wherever the app runs: Azure's scale controller reads these names itself and
/// has failed on nested ones (see <see cref="QueueOptions"/>), and the host cannot index a trigger whose setting is
/// missing.
/// </summary>
public sealed partial class TriggerSettingNamesTests
{
    private static readonly string[] KnownSettings = ["SyncSchedule", "SyncIntegrationsQueue", "IntegrationDeletionsQueue", "TicketEventsQueue"];

    /// <summary>Every setting name the Functions assembly's triggers and bindings use, with the function naming it.</summary>
    public static IEnumerable<TestCaseData> SettingNames() =>
        Named().GroupBy(n => n.Setting, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TestCaseData(g.Key, string.Join(", ", g.Select(n => n.Function))).SetName($"{{m}}({g.Key})"));

    [Test]
    public void The_walk_finds_the_timer_and_every_queue_trigger()
    {
        Assert.That(Named().Select(n => n.Setting), Is.SupersetOf(KnownSettings));
    }

    [TestCaseSource(nameof(SettingNames))]
    public void A_setting_a_trigger_names_is_flat_and_set_in_the_sample_settings_and_in_infra(string setting, string functions)
    {
        Assert.Multiple(() =>
        {
            Assert.That(setting, Does.Not.Contain(":").And.Not.Contain("__"), $"{functions}: '{setting}' must be flat, without ':' or '__'");
            Assert.That(SampleSettingNames(), Does.Contain(setting), $"{functions}: local.settings.sample.json Values must set {setting}");
            Assert.That(FunctionAppBicep.AppSettingNames(), Does.Contain(setting), $"{functions}: infra/app/function-app.bicep appsettings must set {setting}");
        });
    }

    [Test]
    public void The_queue_triggers_bind_to_exactly_the_settings_the_sender_reads()
    {
        var triggered = Named().Where(n => n.Attribute is QueueTriggerAttribute).Select(n => n.Setting).Distinct(StringComparer.Ordinal);
        var sent = typeof(QueueOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);

        Assert.That(triggered, Is.EquivalentTo(sent), "each WorkQueue's name setting (QueueOptions) is the one its trigger binds to");
    }

    /// <summary>Each <c>%name%</c> of every trigger and binding attribute of every function.</summary>
    private static IEnumerable<(string Function, Attribute Attribute, string Setting)> Named() =>
        typeof(DefenderSnowComposition).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(f => f.Function is not null)
            .SelectMany(f => f.Method.GetParameters().SelectMany(p => p.GetCustomAttributes()).Concat(f.Method.GetCustomAttributes())
                .Where(a => a is not FunctionAttribute)
                .SelectMany(a => SettingsOf(a).Select(s => (f.Function!.Name, a, s))));

    private static IEnumerable<string> SettingsOf(Attribute attribute)
    {
        foreach (var property in attribute.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)))
        {
            if (property.GetValue(attribute) is not string { Length: > 0 } value)
            {
                continue;
            }

            foreach (Match match in Placeholder().Matches(value))
            {
                yield return match.Groups["name"].Value;
            }
        }
    }

    private static List<string> SampleSettingNames()
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "local.settings.sample.json")))!;
        return sample["Values"]!.AsObject().Select(v => v.Key).ToList();
    }

    [GeneratedRegex("%(?<name>[^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
