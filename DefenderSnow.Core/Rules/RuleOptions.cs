using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Rules;

/// <summary>Settings under <c>Rules</c>.</summary>
public sealed class RuleOptions
{
    public const string SectionName = "Rules";

    /// <summary>The most rules one integration may have; a create beyond it answers 422 (issue 26, item 6).</summary>
    [SettingRange(1, 1000, ErrorMessage = "Rules:MaxPerIntegration must be between 1 and 1000.")]
    public int MaxPerIntegration { get; set; } = 100;
}

/// <summary>Checks the annotations of <see cref="RuleOptions"/> at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class RuleOptionsValidation : IValidateOptions<RuleOptions>;
