namespace DefenderSnow.Core.Integrations;

public enum FieldMode
{
    /// <summary>DefenderSnow writes short description and description from the recommendation.</summary>
    Default,
    /// <summary>The caller supplies the fields the integration lists.</summary>
    Customized,
}
