using System.Text.RegularExpressions;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// Reads what <c>infra/app/function-app.bicep</c> sets, from its text: the app settings' names and App Service
/// authentication's <c>excludedPaths</c>. Text, not the compiled template, so the guards that use it need no
/// Bicep build (<see cref="BicepTemplateTests"/> holds the compiled template to the same values).
/// </summary>
public static partial class FunctionAppBicep
{
    public static string Text() => File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "infra", "app", "function-app.bicep"));

    /// <summary>The names in the <c>properties</c> object of the <c>appsettings</c> config resource.</summary>
    public static IReadOnlyList<string> AppSettingNames()
    {
        var text = Text();
        var resource = text.IndexOf("name: 'appsettings'", StringComparison.Ordinal);
        Assert.That(resource, Is.GreaterThan(0), "function-app.bicep has no config resource named 'appsettings'");
        var properties = Block(text, text.IndexOf("properties: {", resource, StringComparison.Ordinal));
        return SettingName().Matches(properties).Select(m => m.Groups["name"].Value).ToList();
    }

    /// <summary>The entries of <c>globalValidation.excludedPaths</c> of the <c>authsettingsV2</c> config resource.</summary>
    public static IReadOnlyList<string> ExcludedPaths()
    {
        var text = Text();
        var resource = text.IndexOf("name: 'authsettingsV2'", StringComparison.Ordinal);
        Assert.That(resource, Is.GreaterThan(0), "function-app.bicep has no config resource named 'authsettingsV2'");
        var start = text.IndexOf("excludedPaths: [", resource, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThan(0), "authsettingsV2 has no excludedPaths");
        var end = text.IndexOf(']', start);
        return QuotedString().Matches(text[start..end]).Select(m => m.Groups["value"].Value).ToList();
    }

    /// <summary>The text from the <c>{</c> at or after <paramref name="from"/> to its matching <c>}</c>.</summary>
    private static string Block(string text, int from)
    {
        Assert.That(from, Is.GreaterThan(0), "no 'properties: {' after the resource's name");
        var open = text.IndexOf('{', from);
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            depth += text[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return text[(open + 1)..i];
            }
        }

        Assert.Fail("unbalanced braces in function-app.bicep");
        return string.Empty;
    }

    // One setting per line, `Name: value`; comments and nested objects (there are none) would not match at line start.
    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SettingName();

    [GeneratedRegex(@"'(?<value>[^']*)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedString();
}
