namespace DefenderSnow.Core.Hosting;

/// <summary>Bounds the options' <c>[Range]</c> annotations share.</summary>
internal static class OptionLimits
{
    /// <summary><see cref="TimeSpan.MaxValue"/> as a <c>[SettingRange(typeof(TimeSpan), …)]</c> bound: "no upper limit".</summary>
    public const string MaxTimeSpan = "10675199.02:48:05.4775807";
}
