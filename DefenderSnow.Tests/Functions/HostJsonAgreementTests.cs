using System.Text.Json.Nodes;
using DefenderSnow.Core.Sync;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Functions;

/// <summary>
/// host.json is the one source of the queue trigger's delivery limit: the app's last-delivery handling and the
/// tests' stand-in for the host read the same number, and no app setting in the sample or infra moves one alone.
/// </summary>
[TestFixture]
public sealed class HostJsonAgreementTests
{
    [Test]
    public async Task The_last_delivery_the_app_reports_is_the_hosts_maxDequeueCount()
    {
        var root = Azurite.RepositoryRoot();
        var hostJson = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "host.json")))!;
        var maxDequeueCount = hostJson["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>();

        Assert.That(new SyncOptions().SyncMaxDequeueCount, Is.EqualTo(maxDequeueCount), "SyncOptions.SyncMaxDequeueCount's default");
        Assert.That(TestQueues.MaxDequeueCount, Is.EqualTo(maxDequeueCount), "the tests' queue delivery");
        var sample = await File.ReadAllTextAsync(Path.Combine(root, "local.settings.sample.json"));
        var infra = string.Concat(Directory.GetFiles(Path.Combine(root, "infra"), "*.bicep", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.That(sample, Does.Not.Contain("SyncMaxDequeueCount"), "a setting there would disagree with host.json as soon as one changes");
        Assert.That(infra, Does.Not.Contain("SyncMaxDequeueCount"));
    }
}
