using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.ServiceNow;

[TestFixture]
public sealed class ServiceNowInstancePolicyTests
{
    private static readonly string[] BodyInstanceUrl = ["body.instanceUrl"];

    [TestCase("https://contoso.service-now.com", "https://contoso.service-now.com/")]
    [TestCase("https://Contoso.Service-Now.com/", "https://contoso.service-now.com/")]
    [TestCase("https://contoso.service-now.com:443/", "https://contoso.service-now.com/")]
    public void Allowed_urls_are_normalised(string url, string expected)
    {
        Assert.That(Policy().Validate(url), Is.EqualTo(new Uri(expected)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("contoso.service-now.com")]
    [TestCase("http://contoso.service-now.com")]
    [TestCase("https://user:pw@contoso.service-now.com")]
    [TestCase("https://contoso.service-now.com/now/nav")]
    [TestCase("https://contoso.service-now.com/?x=1")]
    [TestCase("https://contoso.service-now.com/#top")]
    [TestCase("https://evil.example.com")]
    [TestCase("https://service-now.com.evil.example")]
    [TestCase("https://a.b.service-now.com")]
    [TestCase("https://127.0.0.1")]
    [TestCase("https://10.1.2.3")]
    [TestCase("https://[::1]")]
    [TestCase("https://localhost")]
    [TestCase("https://169.254.169.254")]
    [TestCase("https://contoso.service-now.com:8443")]
    [TestCase("https://contoso.service-now.com:80")]
    [TestCase("https://xn--cntoso-wxa.service-now.com")]
    [TestCase("https://cöntoso.service-now.com")]
    [TestCase("https://contoso.xn--service-nw-ubb.com")]
    public void Other_urls_are_refused_naming_the_field(string? url)
    {
        var error = Assert.Throws<ValidationException>(() => Policy().Validate(url, "body.instanceUrl"));

        Assert.That(error!.Errors.Keys, Is.EqualTo(BodyInstanceUrl));
    }

    [TestCase("https://127.0.0.1:8443")]
    [TestCase("https://localhost:5001")]
    [TestCase("https://10.1.2.3")]
    public void Private_addresses_are_allowed_only_when_the_setting_says_so(string url)
    {
        var policy = Policy(new() { ["ServiceNow:AllowPrivateAddresses"] = "true" });

        Assert.Multiple(() =>
        {
            Assert.That(policy.Validate(url).Scheme, Is.EqualTo("https"));
            Assert.Throws<ValidationException>(() => policy.Validate(url.Replace("https", "http", StringComparison.Ordinal)));
        });
    }

    [Test]
    public void Configured_patterns_replace_the_default()
    {
        var policy = Policy(new() { ["ServiceNow:AllowedHosts:0"] = "snow.contoso.com", ["ServiceNow:AllowedHosts:1"] = "*.snow.fabrikam.com" });

        Assert.Multiple(() =>
        {
            Assert.That(policy.Validate("https://snow.contoso.com").Host, Is.EqualTo("snow.contoso.com"));
            Assert.That(policy.Validate("https://dev.snow.fabrikam.com").Host, Is.EqualTo("dev.snow.fabrikam.com"));
            Assert.Throws<ValidationException>(() => policy.Validate("https://contoso.service-now.com"));
        });
    }

    [Test]
    public void A_port_or_an_internationalised_name_passes_only_when_an_entry_names_that_host_exactly()
    {
        var policy = Policy(new()
        {
            ["ServiceNow:AllowedHosts:0"] = "*.service-now.com",
            ["ServiceNow:AllowedHosts:1"] = "snow.contoso.com:8443",
            ["ServiceNow:AllowedHosts:2"] = "xn--cntoso-wxa.service-now.com",
        });

        Assert.Multiple(() =>
        {
            Assert.That(policy.Validate("https://snow.contoso.com:8443"), Is.EqualTo(new Uri("https://snow.contoso.com:8443/")));
            Assert.That(policy.Validate("https://xn--cntoso-wxa.service-now.com").IdnHost, Is.EqualTo("xn--cntoso-wxa.service-now.com"));
            Assert.That(policy.Validate("https://cöntoso.service-now.com").IdnHost, Is.EqualTo("xn--cntoso-wxa.service-now.com"));
            Assert.Throws<ValidationException>(() => policy.Validate("https://snow.contoso.com"), "the entry names port 8443, not 443");
            Assert.Throws<ValidationException>(() => policy.Validate("https://snow.contoso.com:9443"));
            Assert.Throws<ValidationException>(() => policy.Validate("https://contoso.service-now.com:8443"), "a wildcard never admits another port");
            Assert.Throws<ValidationException>(() => policy.Validate("https://xn--cntoso-wxa.service-now.com:8443"));
            Assert.Throws<ValidationException>(() => policy.Validate("https://xn--other-xya.service-now.com"), "a wildcard never admits a punycode name");
        });
    }

    [Test]
    public void Not_configuring_the_allow_list_allows_no_instance_and_the_answer_names_the_setting()
    {
        using var services = Services([]);
        var policy = services.GetRequiredService<IServiceNowInstancePolicy>();

        Assert.That(services.GetRequiredService<IOptions<ServiceNowOptions>>().Value.AllowedHosts, Is.Empty);
        var refused = Assert.Throws<UnprocessableException>(() => policy.Validate("https://contoso.service-now.com"));
        Assert.That(refused!.Message, Does.Contain("ServiceNow:AllowedHosts"));
    }

    [TestCase("ServiceNow:AllowedHosts:0", "not a host!", "ServiceNow:AllowedHosts")]
    [TestCase("ServiceNow:AllowedHosts:0", "*", "ServiceNow:AllowedHosts")]
    [TestCase("ServiceNow:AllowedHosts:0", "*.service-now.com:8443", "ServiceNow:AllowedHosts")]
    [TestCase("ServiceNow:AllowedHosts:0", "snow.contoso.com:0", "ServiceNow:AllowedHosts")]
    [TestCase("ServiceNow:AllowedHosts:0", "snow.contoso.com:99999", "ServiceNow:AllowedHosts")]
    [TestCase("ServiceNow:AllowedHosts:0", "cöntoso.com", "ServiceNow:AllowedHosts")]
    [TestCase("ServiceNow:ReadChunkSize", "0", "ServiceNow:ReadChunkSize")]
    [TestCase("ServiceNow:AttemptTimeout", "00:00:00", "ServiceNow:AttemptTimeout")]
    public void A_malformed_setting_fails_naming_it(string key, string value, string named)
    {
        using var services = Services(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<ServiceNowOptions>>().Value);

        Assert.That(error!.Message, Does.Contain(named));
    }

    /// <summary>Without settings given, the allow list a deployer of ServiceNow's own cloud would name; the default allows nothing.</summary>
    private static IServiceNowInstancePolicy Policy(Dictionary<string, string?>? settings = null) =>
        Services(settings ?? new() { ["ServiceNow:AllowedHosts:0"] = "*.service-now.com" }).GetRequiredService<IServiceNowInstancePolicy>();

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddServiceNow(configuration);
        return services.BuildServiceProvider();
    }
}
