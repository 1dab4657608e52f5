using DefenderSnow.Core.Secrets;

namespace DefenderSnow.Tests.Secrets;

public class KeyVaultSecretNameTests
{
    private const string IntegrationId = "0f8fad5bd9cb469fa16570867728950e";

    [TestCase(IntegrationSecret.Password, "snow-0f8fad5bd9cb469fa16570867728950e-password")]
    [TestCase(IntegrationSecret.ClientSecret, "snow-0f8fad5bd9cb469fa16570867728950e-client-secret")]
    [TestCase(IntegrationSecret.RefreshToken, "snow-0f8fad5bd9cb469fa16570867728950e-refresh-token")]
    public void Names_are_derived_from_the_integration_id_and_kind(IntegrationSecret secret, string expected)
    {
        Assert.That(KeyVaultSecretName.For(IntegrationId, secret), Is.EqualTo(expected));
        Assert.That(KeyVaultSecretName.IsValid(expected), Is.True);
    }

    [Test]
    public void An_upper_case_id_names_the_same_secret_because_Key_Vault_names_ignore_case()
    {
        Assert.That(
            KeyVaultSecretName.For(IntegrationId.ToUpperInvariant(), IntegrationSecret.Password),
            Is.EqualTo(KeyVaultSecretName.For(IntegrationId, IntegrationSecret.Password)));
    }

    [TestCase("")]
    [TestCase("not-an-id")]
    [TestCase("0f8fad5b-d9cb-469f-a165-70867728950e")]
    [TestCase("0f8fad5bd9cb469fa16570867728950")]
    [TestCase("0f8fad5bd9cb469fa16570867728950e0")]
    [TestCase("0f8fad5bd9cb469fa16570867728950g")]
    [TestCase("0f8fad5bd9cb469fa1657086772895_e")]
    [TestCase("../fad5bd9cb469fa16570867728950e0")]
    public void Anything_but_32_hex_digits_is_refused(string integrationId)
    {
        Assert.Throws<ArgumentException>(() => KeyVaultSecretName.For(integrationId, IntegrationSecret.Password));
    }

    [TestCase("a", true)]
    [TestCase("A-1-b", true)]
    [TestCase("", false)]
    [TestCase("a_b", false)]
    [TestCase("a.b", false)]
    [TestCase("a b", false)]
    [TestCase("é", false)]
    public void Key_Vault_name_rules(string name, bool valid)
    {
        Assert.That(KeyVaultSecretName.IsValid(name), Is.EqualTo(valid));
    }

    [Test]
    public void Names_may_be_127_characters_and_no_more()
    {
        Assert.That(KeyVaultSecretName.IsValid(new string('a', 127)), Is.True);
        Assert.That(KeyVaultSecretName.IsValid(new string('a', 128)), Is.False);
    }
}
