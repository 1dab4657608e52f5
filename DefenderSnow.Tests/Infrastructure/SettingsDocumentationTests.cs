using System.Reflection;
using DefenderSnow.Core;
using DefenderSnow.Functions.Hosting;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// Every setting the app binds at start-up is either set by <c>infra/app/function-app.bicep</c> or documented
/// with its default in the README's settings table, so a new setting cannot be forgotten in Azure.
/// </summary>
public sealed class SettingsDocumentationTests
{
    public static IEnumerable<TestCaseData> Settings() =>
        OptionsTypes().SelectMany(SettingsOf).Distinct().Order(StringComparer.Ordinal).Select(s => new TestCaseData(s).SetName($"{{m}}({s})"));

    [Test]
    public void The_app_binds_settings_at_all() => Assert.That(Settings().Count(), Is.GreaterThan(30));

    [TestCaseSource(nameof(Settings))]
    public void Every_setting_is_set_by_the_bicep_or_documented_with_its_default(string setting)
    {
        var root = Azurite.RepositoryRoot();
        var bicep = File.ReadAllText(Path.Combine(root, "infra", "app", "function-app.bicep"));
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));

        var setInAzure = bicep.Contains($"      {setting}: ", StringComparison.Ordinal);
        var documented = readme.Contains($"| `{setting}`", StringComparison.Ordinal) || readme.Contains($"`{setting}`, ", StringComparison.Ordinal);

        Assert.That(setInAzure || documented, Is.True, $"{setting} is neither set in infra/app/function-app.bicep nor in the README's settings table");
    }

    /// <summary>The options classes of Core and Functions: bound from their <c>SectionName</c>, or from the root without one.</summary>
    private static IEnumerable<Type> OptionsTypes() =>
        new[] { typeof(CoreServiceCollectionExtensions).Assembly, typeof(DefenderSnowComposition).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null);

    private static IEnumerable<string> SettingsOf(Type options)
    {
        var section = options.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string;
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = string.IsNullOrEmpty(section) ? property.Name : $"{section}__{property.Name}";
            yield return property.PropertyType.IsArray ? key + "__0" : key;
        }
    }
}
