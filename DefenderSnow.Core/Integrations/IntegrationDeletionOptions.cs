using System.ComponentModel.DataAnnotations;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Integrations;

/// <summary>Settings under <c>IntegrationDeletion</c>: how much a delete does in the request, and per queue message.</summary>
public sealed class IntegrationDeletionOptions
{
    public const string SectionName = "IntegrationDeletion";

    /// <summary>A delete with at most this many live assignments finishes in the request (204); more go on in the background (202).</summary>
    [SettingRange(0, 1000, ErrorMessage = "IntegrationDeletion:InlineAssignments must be between 0 and 1000.")]
    public int InlineAssignments { get; set; } = 25;

    /// <summary>Live assignments removed per <c>integration-deletions</c> message before the next message takes over.</summary>
    [SettingRange(1, 5000, ErrorMessage = "IntegrationDeletion:BatchSize must be between 1 and 5000.")]
    public int BatchSize { get; set; } = 250;

    /// <summary>How many governance assignments are deleted at once; Resource Manager's throttling paces them per subscription.</summary>
    [SettingRange(1, 32, ErrorMessage = "IntegrationDeletion:Parallelism must be between 1 and 32.")]
    public int Parallelism { get; set; } = 4;

    /// <summary>How long the work pauses when Resource Manager stays unreachable or throttled through all retries.</summary>
    public TimeSpan RetryPause { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks the annotations of <see cref="IntegrationDeletionOptions"/> at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class IntegrationDeletionOptionsValidation : IValidateOptions<IntegrationDeletionOptions>;
