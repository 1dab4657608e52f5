using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Integrations;

public enum FieldMode
{
    /// <summary>DefenderSnow writes short description and description from the recommendation.</summary>
    [ContractName("default")]
    Default,
    /// <summary>The caller supplies the fields the integration lists.</summary>
    [ContractName("customized")]
    Customized,
}
