using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Simulators.ServiceNow;

namespace DefenderSnow.Benchmark;

/// <summary>
/// The simulators' side of the benchmark, run as a process of its own (<c>--simulators</c>) so that their state
/// (100,000 tickets, findings and governance assignments) is not in the measured working set. It reads one JSON
/// command a line on stdin and answers one line on stdout, prefixed <see cref="ReplyPrefix"/>; the benchmark drives
/// it through <see cref="SimulatorProcess"/>. Seeding happens here, directly in the simulators' state.
/// </summary>
public sealed class SimulatorServer
{
    public const string Argument = "--simulators";

    /// <summary>Marks the protocol's lines, so anything else a library prints on stdout is skipped.</summary>
    public const string ReplyPrefix = "@@ ";

    private static readonly string[] Tables = [ServiceNowTicketTables.Incident, ServiceNowTicketTables.Problem, ServiceNowTicketTables.ChangeRequest];
    private readonly ServiceNowSimulator _serviceNow;
    private readonly ResourceManagerSimulator _resourceManager;
    private readonly SeedingClock _serviceNowClock;

    private SimulatorServer(ServiceNowSimulator serviceNow, ResourceManagerSimulator resourceManager, SeedingClock serviceNowClock)
    {
        _serviceNow = serviceNow;
        _resourceManager = resourceManager;
        _serviceNowClock = serviceNowClock;
    }

    private ResourceManagerState ResourceManager => _resourceManager.State;

    /// <summary>Serves until stdin closes.</summary>
    public static async Task<int> RunAsync(TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var serviceNowClock = new SeedingClock();
        await using var serviceNow = await ServiceNowSimulator.StartAsync(new ServiceNowSimulatorOptions { TimeProvider = serviceNowClock }).ConfigureAwait(false);
        await using var resourceManager = await ResourceManagerSimulator.StartAsync().ConfigureAwait(false);
        await using var keyVault = await KeyVaultSimulator.StartAsync().ConfigureAwait(false);
        var server = new SimulatorServer(serviceNow, resourceManager, serviceNowClock);
        await ReplyAsync(output, new JsonObject
        {
            ["serviceNow"] = serviceNow.BaseUri.AbsoluteUri,
            ["resourceManager"] = resourceManager.BaseUri.AbsoluteUri,
            ["keyVault"] = keyVault.BaseUri.AbsoluteUri,
        }).ConfigureAwait(false);
        while (await input.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            JsonNode reply;
            try
            {
                reply = server.Handle(JsonNode.Parse(line)!.AsObject());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                reply = new JsonObject { ["error"] = $"{e.GetType().Name}: {e.Message}" };
            }

            await ReplyAsync(output, reply).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task ReplyAsync(TextWriter output, JsonNode reply)
    {
        await output.WriteLineAsync(ReplyPrefix + reply.ToJsonString()).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    private JsonObject Handle(JsonObject command) => command["op"]!.GetValue<string>() switch
    {
        "setup" => Setup(command),
        "seed" => Seed(command),
        "findings" => Findings(command),
        "change" => Change(command),
        "latency" => Latency(command),
        "buckets" => Buckets(command),
        "counts" => Counts(),
        "resetCounts" => ResetCounts(),
        "governance" => Governance(command),
        "governanceLeft" => new JsonObject { ["count"] = ResourceManager.GovernanceAssignments.Count(g => g.AssessmentName == Text(command, "assessmentName")) },
        "ticketCount" => new JsonObject { ["count"] = ServiceNowTicketTables.All.Sum(t => _serviceNow.ListTickets(t.Name).Count) },
        var unknown => throw new ArgumentException($"Unknown op '{unknown}'."),
    };

    private JsonObject Setup(JsonObject command)
    {
        _serviceNow.RegisterOAuthClient(Text(command, "clientId"), Text(command, "clientSecret"));
        var users = new JsonObject();
        foreach (var user in command["users"]!.AsArray())
        {
            users[Text(user!, "userName")] = _serviceNow.SeedUser(new ServiceNowSimulatorUser(
                Text(user!, "userName"), user!["email"]?.GetValue<string>(), user!["name"]?.GetValue<string>(), Password: user!["password"]?.GetValue<string>()));
        }

        return new JsonObject { ["users"] = users };
    }

    /// <summary>
    /// Live assignments' upstream halves: per assignment a finding, a ticket whose correlation_id is the assignment
    /// id, and the governance assignment CreateAssignment would have put. Written to a tab-separated file for the
    /// benchmark, which writes the Table Storage rows: id, table, sys_id, number, link, state, resource id.
    /// </summary>
    private JsonObject Seed(JsonObject command)
    {
        var count = command["count"]!.GetValue<int>();
        var (ownerSysId, ownerEmail) = (Text(command, "ownerSysId"), Text(command, "ownerEmail"));
        var scope = Text(command, "scope");
        var assessmentName = Text(command, "assessmentName");
        var dueDate = Text(command, "dueDate");
        var file = Text(command, "file");
        using var writer = new StreamWriter(file, append: false, Encoding.UTF8);
        _serviceNowClock.Seed(count, i =>
        {
            var id = Guid.NewGuid().ToString("N");
            var table = ServiceNowTicketTables.Get(Tables[i % Tables.Length]);
            var resourceId = NewFinding(scope, assessmentName);
            var ticket = _serviceNow.CreateTicket(table.Name, new Dictionary<string, string>
            {
                ["short_description"] = $"Remediate {assessmentName}",
                ["assigned_to"] = ownerSysId,
                [table.CallerField] = ownerSysId,
                ["correlation_id"] = id,
                ["correlation_display"] = ServiceNowTicketTables.CorrelationDisplay,
            });
            var link = table.LinkFor(_serviceNow.BaseUri, ticket["sys_id"]).AbsoluteUri;
            var state = table.DescribeState(ticket["state"]).Name;
            ResourceManager.SeedGovernanceAssignment(new StoredGovernanceAssignment(resourceId, assessmentName, id, new JsonObject
            {
                ["owner"] = ownerEmail,
                ["remediationDueDate"] = dueDate,
                ["isGracePeriod"] = false,
                ["additionalData"] = new JsonObject
                {
                    ["ticketNumber"] = TicketNumber.ToGovernanceNumber(ticket["number"]),
                    ["ticketLink"] = link,
                    ["ticketStatus"] = state,
                },
            }));
            writer.WriteLine(string.Join('\t', id, table.Name, ticket["sys_id"], ticket["number"], link, state, resourceId));
        });

        return new JsonObject { ["file"] = file };
    }

    /// <summary>Unhealthy findings of one recommendation (its metadata seeded too), for CreateAssignment to assign.</summary>
    private JsonObject Findings(JsonObject command)
    {
        var assessmentName = Text(command, "assessmentName");
        ResourceManager.SeedMetadata(new SimulatedAssessmentMetadata(assessmentName, "Endpoint protection should be installed", SimulatedSeverity.Medium));
        var resources = new JsonArray();
        for (var i = command["count"]!.GetValue<int>(); i > 0; i--)
        {
            resources.Add(NewFinding(Text(command, "scope"), assessmentName));
        }

        return new JsonObject { ["resourceIds"] = resources };
    }

    private string NewFinding(string scope, string assessmentName)
    {
        var resourceId = $"{scope}/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachines/vm-{Guid.NewGuid():N}";
        ResourceManager.SeedAssessment(new SimulatedAssessment(resourceId, assessmentName, SimulatedAssessmentStatus.Unhealthy));
        return resourceId;
    }

    /// <summary>People acting in ServiceNow: each item resolves a ticket or reassigns it.</summary>
    private JsonObject Change(JsonObject command)
    {
        foreach (var item in command["items"]!.AsArray())
        {
            var (table, sysId) = (Text(item!, "table"), Text(item!, "sysId"));
            if (Text(item!, "action") == "resolve")
            {
                _serviceNow.Resolve(table, sysId);
            }
            else
            {
                _serviceNow.Reassign(table, sysId, Text(item!, "userName"));
            }
        }

        return [];
    }

    private JsonObject Latency(JsonObject command)
    {
        var latency = TimeSpan.FromMilliseconds(command["milliseconds"]!.GetValue<double>());
        _serviceNow.Faults.Latency = latency;
        ResourceManager.Faults.Latency = latency;
        return [];
    }

    /// <summary>Without a capacity every bucket is made too large to refuse anything; with one, writes and deletes get it.</summary>
    private JsonObject Buckets(JsonObject command)
    {
        if (command["capacity"] is { } capacity)
        {
            var refill = command["refillPerSecond"]!.GetValue<double>();
            ResourceManager.Throttling.Configure(ThrottledRequestKind.Write, capacity.GetValue<int>(), refill);
            ResourceManager.Throttling.Configure(ThrottledRequestKind.Delete, capacity.GetValue<int>(), refill);
        }
        else
        {
            foreach (var kind in Enum.GetValues<ThrottledRequestKind>())
            {
                ResourceManager.Throttling.Configure(kind, 100_000_000, 100_000_000);
            }
        }

        return [];
    }

    private JsonObject Counts()
    {
        var resourceManager = new JsonObject();
        foreach (var (operation, count) in ResourceManager.RequestCounts)
        {
            resourceManager[operation] = count;
        }

        return new JsonObject
        {
            ["serviceNow"] = _serviceNow.TotalRequests,
            ["resourceManager"] = resourceManager,
            ["throttled"] = ResourceManager.Throttling.ThrottledCount,
        };
    }

    private JsonObject ResetCounts()
    {
        _serviceNow.ResetRequestCounts();
        ResourceManager.ResetRequestCounts();
        return [];
    }

    /// <summary>For each key (resource id, assessment name, assignment id): the governance assignment's owner, or null when there is none.</summary>
    private JsonObject Governance(JsonObject command)
    {
        var owners = new JsonArray();
        foreach (var key in command["keys"]!.AsArray())
        {
            var found = ResourceManager.FindGovernanceAssignment(Text(key!, "resourceId"), Text(key!, "assessmentName"), Text(key!, "id"));
            owners.Add(found is null ? null : (JsonNode?)(found.Owner ?? string.Empty));
        }

        return new JsonObject { ["owners"] = owners };
    }

    private static string Text(JsonNode node, string name) =>
        node[name]?.GetValue<string>() ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{name}' is missing."));
}
