using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// Compiles <c>infra/main.bicep</c> once with the Bicep CLI from the NuGet package
/// <c>Azure.Bicep.CommandLine.linux-x64</c> and checks the security settings and app settings of the
/// ARM template it produces. A missing Bicep executable fails the tests: it never skips them.
/// </summary>
[TestFixture]
[Category("Infrastructure")]
public sealed class BicepTemplateTests
{
    private static readonly string[] ExcludedPaths = ["/api/health", "/api/ticket-events/*"];

    private const string BicepPackageId = "azure.bicep.commandline.linux-x64";
    private const string BicepPackageVersion = "0.49.2";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);

    private JsonObject _template = null!;
    private string _templateText = string.Empty;
    private string _buildDiagnostics = string.Empty;

    [OneTimeSetUp]
    public async Task CompileTemplate()
    {
        var bicep = FindBicepExecutable();
        var mainBicep = Path.Combine(FindRepositoryRoot(), "infra", "main.bicep");

        var (exitCode, stdout, stderr) = await RunAsync(bicep, "build", mainBicep, "--stdout");

        Assert.That(exitCode, Is.Zero, $"bicep build {mainBicep} failed:\n{stderr}");
        _templateText = stdout;
        _buildDiagnostics = stderr;
        _template = JsonNode.Parse(stdout)?.AsObject()
            ?? throw new InvalidOperationException("bicep build --stdout printed no JSON.");
    }

    [Test]
    public void Template_compiles_without_warnings()
    {
        Assert.That(_buildDiagnostics, Does.Not.Contain("Warning").And.Not.Contain("Error"),
            "bicep build reported diagnostics; run `bicep lint infra/main.bicep` and fix them.");
    }

    [Test]
    public void Key_vault_uses_rbac_soft_delete_and_purge_protection()
    {
        var properties = Single("Microsoft.KeyVault/vaults")["properties"]!;

        Assert.Multiple(() =>
        {
            Assert.That(Bool(properties["enableRbacAuthorization"]), Is.True, "enableRbacAuthorization");
            Assert.That(Bool(properties["enablePurgeProtection"]), Is.True, "enablePurgeProtection");
            Assert.That(Bool(properties["enableSoftDelete"]), Is.True, "enableSoftDelete");
            Assert.That(properties["accessPolicies"], Is.Null, "access policies must not be used with RBAC authorization");
        });
    }

    [Test]
    public void Storage_account_disallows_shared_keys_and_old_tls()
    {
        var properties = Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.Multiple(() =>
        {
            Assert.That(Bool(properties["allowSharedKeyAccess"]), Is.False, "allowSharedKeyAccess");
            Assert.That(Bool(properties["allowBlobPublicAccess"]), Is.False, "allowBlobPublicAccess");
            Assert.That(Str(properties["minimumTlsVersion"]), Is.EqualTo("TLS1_2"), "minimumTlsVersion");
            Assert.That(Bool(properties["supportsHttpsTrafficOnly"]), Is.True, "supportsHttpsTrafficOnly");
        });
    }

    [Test]
    public void Function_app_is_https_only_on_flex_consumption_with_dotnet_isolated()
    {
        var site = Single("Microsoft.Web/sites");
        var properties = site["properties"]!;
        var siteConfig = properties["siteConfig"]!;
        var runtime = properties["functionAppConfig"]?["runtime"];
        var plan = Single("Microsoft.Web/serverfarms");

        Assert.Multiple(() =>
        {
            Assert.That(Bool(properties["httpsOnly"]), Is.True, "httpsOnly");
            Assert.That(Str(siteConfig["minTlsVersion"]), Is.EqualTo("1.2"), "siteConfig.minTlsVersion");
            Assert.That(Str(siteConfig["ftpsState"]), Is.EqualTo("Disabled"), "siteConfig.ftpsState");
            Assert.That(Str(site["kind"]), Does.Contain("functionapp").And.Contain("linux"), "kind");
            Assert.That(Str(site["identity"]?["type"]), Is.EqualTo("UserAssigned"), "identity.type");
            Assert.That(Str(runtime?["name"]), Is.EqualTo("dotnet-isolated"), "functionAppConfig.runtime.name");
            Assert.That(Str(plan["sku"]?["tier"]), Is.EqualTo("FlexConsumption"), "plan sku tier");
            Assert.That(Str(_template["parameters"]?["dotnetVersion"]?["defaultValue"]), Is.EqualTo("10.0"), "default .NET version");
        });
    }

    [Test]
    public void App_settings_configure_DefenderSnow_with_the_managed_identity()
    {
        var (deployment, config) = AppSettings();
        var settings = config["properties"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(Str(settings["Azure__Credential"]), Is.EqualTo("ManagedIdentity"), "Azure__Credential");
            Assert.That(settings.ContainsKey("Azure__ManagedIdentityClientId"), Is.True, "Azure__ManagedIdentityClientId");
            Assert.That(ModuleInput(deployment, settings["KeyVault__VaultUri"]), Does.Contain("outputs.vaultUri"), "KeyVault__VaultUri");
            Assert.That(ModuleInput(deployment, settings["Storage__TableServiceUri"]), Does.Contain("outputs.tableEndpoint"), "Storage__TableServiceUri");
            Assert.That(ModuleInput(deployment, settings["Defender__Endpoint"]), Does.Contain("resourceManager"), "Defender__Endpoint");
            Assert.That(settings.ContainsKey("Defender__Audience"), Is.True, "Defender__Audience");
            Assert.That(settings.ContainsKey("ServiceNow__AllowedHosts__0"), Is.True, "ServiceNow__AllowedHosts__0");
            Assert.That(settings.ContainsKey("SyncSchedule"), Is.True, "SyncSchedule");
            Assert.That(Str(_template["parameters"]?["syncSchedule"]?["defaultValue"]), Is.EqualTo("0 0 2 * * *"), "default SyncSchedule");
            Assert.That(_template["parameters"]?["serviceNowAllowedHost"]?["defaultValue"], Is.Null, "no default allowed host: the deployer names its instance");
            // TriggerSettingNamesTests reads the names from the Bicep text, without a build: the same names.
            Assert.That(FunctionAppBicep.AppSettingNames(), Is.EquivalentTo(settings.Select(s => s.Key)), "app settings as FunctionAppBicep reads them");
        });
    }

    [Test]
    public void App_service_authentication_requires_entra_id_sign_in_everywhere_but_health_and_ticket_events()
    {
        var auth = Resources("Microsoft.Web/sites/config").Single(r => Str(r["name"])?.Contains("authsettingsV2", StringComparison.Ordinal) == true)["properties"]!;
        var settings = AppSettings().Config["properties"]!.AsObject();
        var aad = auth["identityProviders"]?["azureActiveDirectory"];

        Assert.Multiple(() =>
        {
            Assert.That(Bool(auth["platform"]?["enabled"]), Is.True, "platform.enabled");
            Assert.That(Bool(auth["globalValidation"]?["requireAuthentication"]), Is.True, "requireAuthentication");
            Assert.That(Str(auth["globalValidation"]?["unauthenticatedClientAction"]), Is.EqualTo("Return401"), "unauthenticatedClientAction");
            Assert.That(auth["globalValidation"]?["excludedPaths"]?.AsArray().Select(p => Str(p)), Is.EqualTo(ExcludedPaths), "excludedPaths: health, and the ticket events that authenticate by signature");
            // EasyAuthExclusionTests reads the same list from the Bicep text, without a build.
            Assert.That(FunctionAppBicep.ExcludedPaths(), Is.EqualTo(ExcludedPaths), "excludedPaths as FunctionAppBicep reads them");
            Assert.That(Bool(aad?["enabled"]), Is.True, "azureActiveDirectory.enabled");
            Assert.That(aad?["validation"]?["allowedAudiences"]?.ToJsonString(), Does.Contain("api://"), "allowedAudiences");
            Assert.That(Str(settings["Authorization__RequireRoles"]), Is.EqualTo("true"), "Authorization__RequireRoles");
            Assert.That(_template["parameters"]?["authClientId"]?["defaultValue"], Is.Null, "authClientId must be given, not defaulted");
        });
    }

    [Test]
    public void The_app_roles_manifest_defines_exactly_the_roles_the_app_checks()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(FindRepositoryRoot(), "infra", "app-roles.json")))!.AsArray();

        Assert.That(manifest.Select(r => Str(r!["value"])), Is.EquivalentTo(DefenderSnow.Functions.Security.AppRoles.All));
        Assert.That(manifest.Select(r => Str(r!["id"])).Distinct().Count(), Is.EqualTo(manifest.Count), "role ids are unique");
        Assert.That(manifest.All(r => Bool(r!["isEnabled"]) == true), Is.True, "every role is enabled");
    }

    [Test]
    public void Functions_host_storage_is_identity_based()
    {
        var settings = AppSettings().Config["properties"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(Str(settings["AzureWebJobsStorage__credential"]), Is.EqualTo("managedidentity"));
            Assert.That(settings.ContainsKey("AzureWebJobsStorage__clientId"), Is.True, "AzureWebJobsStorage__clientId");
            Assert.That(settings.ContainsKey("AzureWebJobsStorage"), Is.False, "no storage connection string");
            // Flex Consumption rejects these: the plan sets the runtime itself.
            Assert.That(settings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"), Is.False, "FUNCTIONS_WORKER_RUNTIME");
            Assert.That(settings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"), Is.False, "FUNCTIONS_EXTENSION_VERSION");
        });
    }

    [Test]
    public void The_queues_exist_and_the_app_is_told_their_names_and_endpoint()
    {
        var (deployment, config) = AppSettings();
        var settings = config["properties"]!.AsObject();
        var queues = Resources("Microsoft.Resources/deployments")
            .SelectMany(d => Resources(d["properties"]?["template"], "Microsoft.Storage/storageAccounts/queueServices/queues"))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(queues, Is.Not.Empty, "queue resources");
            Assert.That(Str(_template["parameters"]?["syncQueueName"]?["defaultValue"]), Is.EqualTo("sync-integrations"));
            Assert.That(Str(_template["parameters"]?["deletionQueueName"]?["defaultValue"]), Is.EqualTo("integration-deletions"));
            Assert.That(ModuleInput(deployment, settings["SyncIntegrationsQueue"]), Does.Contain("syncQueueName"));
            Assert.That(ModuleInput(deployment, settings["IntegrationDeletionsQueue"]), Does.Contain("deletionQueueName"));
            Assert.That(Str(_template["parameters"]?["ticketEventQueueName"]?["defaultValue"]), Is.EqualTo("ticket-events"));
            Assert.That(ModuleInput(deployment, settings["TicketEventsQueue"]), Does.Contain("ticketEventQueueName"));
            Assert.That(ModuleInput(deployment, settings["Storage__QueueServiceUri"]), Does.Contain("outputs.queueEndpoint"));
            Assert.That(_templateText, Does.Contain("974c5e8b-45b9-4653-ba55-5f855dd0fb88"), "the identity has Storage Queue Data Contributor");
        });
    }

    [TestCase("ba92f5b4-2d11-453d-a403-e96b0029c9fe", TestName = "Role Storage Blob Data Contributor is assigned")]
    [TestCase("974c5e8b-45b9-4653-ba55-5f855dd0fb88", TestName = "Role Storage Queue Data Contributor is assigned")]
    [TestCase("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", TestName = "Role Storage Table Data Contributor is assigned")]
    [TestCase("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", TestName = "Role Key Vault Secrets Officer is assigned")]
    public void Role_is_assigned(string roleDefinitionId)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Resources("Microsoft.Authorization/roleAssignments").ToList(), Is.Not.Empty);
            Assert.That(_templateText, Does.Contain(roleDefinitionId));
        });
    }

    private JsonObject Single(string type)
    {
        var matches = Resources(type).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"expected exactly one resource of type {type}");
        return matches[0];
    }

    private IEnumerable<JsonObject> Resources(string type) =>
        Descendants(_template).Where(o => o["apiVersion"] is not null
            && string.Equals(Str(o["type"]), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The <c>appsettings</c> config resource and the module deployment whose template holds it.</summary>
    private (JsonObject Deployment, JsonObject Config) AppSettings()
    {
        var found = Resources("Microsoft.Resources/deployments")
            .SelectMany(deployment => Resources(deployment["properties"]?["template"], "Microsoft.Web/sites/config")
                .Where(config => Str(config["name"])?.Contains("appsettings", StringComparison.Ordinal) == true)
                .Select(config => (deployment, config)))
            .ToList();
        Assert.That(found, Has.Count.EqualTo(1), "expected exactly one Microsoft.Web/sites/config 'appsettings' resource in a module");
        return found[0];
    }

    private static IEnumerable<JsonObject> Resources(JsonNode? template, string type)
    {
        // Only this template's own resources (array, or object in languageVersion 2.0), not nested modules'.
        var resources = template?["resources"];
        IEnumerable<JsonNode?> items = resources switch
        {
            JsonArray array => array,
            JsonObject map => map.Select(pair => pair.Value),
            _ => [],
        };
        return items.OfType<JsonObject>().Where(o => string.Equals(Str(o["type"]), type, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A setting whose value is <c>[parameters('x')]</c> inside a module: the expression the parent
    /// template passes for <c>x</c>. Any other value is returned as it is.
    /// </summary>
    private static string ModuleInput(JsonObject deployment, JsonNode? value)
    {
        var text = Str(value) ?? string.Empty;
        const string prefix = "[parameters('";
        const string suffix = "')]";
        if (!text.StartsWith(prefix, StringComparison.Ordinal) || !text.EndsWith(suffix, StringComparison.Ordinal))
        {
            return text;
        }

        var name = text[prefix.Length..^suffix.Length];
        return Str(deployment["properties"]?["parameters"]?[name]?["value"]) ?? string.Empty;
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var (_, child) in obj)
                {
                    foreach (var descendant in Descendants(child))
                    {
                        yield return descendant;
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    foreach (var descendant in Descendants(child))
                    {
                        yield return descendant;
                    }
                }

                break;
        }
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool? Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    private static string FindBicepExecutable()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var packageDirectory = Path.Combine(packages, BicepPackageId, BicepPackageVersion);
        var executable = Path.Combine(packageDirectory, "tools", OperatingSystem.IsWindows() ? "bicep.exe" : "bicep");

        if (!File.Exists(executable))
        {
            Assert.Fail(
                $"The Bicep CLI was not found at {executable}. It comes from the NuGet package " +
                $"Azure.Bicep.CommandLine.linux-x64 {BicepPackageVersion}, which DefenderSnow.Tests references: " +
                "run `dotnet restore DefenderSnow.Tests` (NUGET_PACKAGES, when set, names the package folder).");
        }

        if (!OperatingSystem.IsWindows())
        {
            // NuGet does not always keep the executable bit of files it extracts.
            var mode = File.GetUnixFileMode(executable);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(executable, mode | UnixFileMode.UserExecute);
            }
        }

        return executable;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "infra", "main.bicep")))
            {
                return directory.FullName;
            }
        }

        Assert.Fail($"No infra/main.bicep found in {AppContext.BaseDirectory} or any folder above it.");
        return string.Empty;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish within {BuildTimeout}.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
