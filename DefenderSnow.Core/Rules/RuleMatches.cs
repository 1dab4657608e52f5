using DefenderSnow.Core.Findings;

namespace DefenderSnow.Core.Rules;

/// <summary>The findings one rule takes in an evaluation (up to its cap) and how many it matched in all.</summary>
internal sealed class RuleMatches
{
    public List<(Finding Finding, IReadOnlyDictionary<string, string>? Tags)> Taken { get; } = [];

    public int Total { get; set; }
}
