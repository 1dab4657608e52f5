using System.Runtime.CompilerServices;
using DefenderSnow.Core.Errors;
using DefenderSnow.Functions.Http;

namespace DefenderSnow.Tests.Functions;

/// <summary>
/// Every error Core can raise reaches a caller with a status and a title of its own: each kind has an arm in
/// <see cref="Problem.StatusFor"/>, and each error type in Core (found by reflection, so a new one is included
/// without anyone listing it) has a kind with a status and declares its title below <see cref="DomainException"/>.
/// </summary>
public sealed class ProblemMappingTests
{
    private static readonly Type[] CoreErrorTypes = typeof(DomainException).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(DomainException)) && !t.IsAbstract)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    [Test]
    public void Every_error_kind_has_an_http_status()
    {
        var statuses = Enum.GetValues<DomainErrorKind>().ToDictionary(kind => kind, kind => Status(kind));

        Assert.Multiple(() =>
        {
            foreach (var (kind, status) in statuses)
            {
                Assert.That(status, Is.InRange(400, 599), $"{kind} has no status");
            }
        });
    }

    [Test]
    public void Every_core_error_type_maps_to_a_status_and_declares_its_title()
    {
        Assert.That(CoreErrorTypes, Has.Length.GreaterThanOrEqualTo(11), "the reflection found Core's error types");
        Assert.Multiple(() =>
        {
            foreach (var type in CoreErrorTypes)
            {
                // The kind is a constant of the type, so an instance without a constructor run is enough to read it.
                var error = (DomainException)RuntimeHelpers.GetUninitializedObject(type);
                Assert.That(Status(error.Kind), Is.InRange(400, 599), $"{type.Name} ({error.Kind}) has no status");
                var title = type.GetProperty(nameof(DomainException.Title))!.GetMethod!;
                Assert.That(title.DeclaringType, Is.Not.EqualTo(typeof(DomainException)), $"{type.Name} has no title of its own");
            }
        });
    }

    private static int Status(DomainErrorKind kind)
    {
        try
        {
            return Problem.StatusFor(kind);
        }
        catch (ArgumentOutOfRangeException)
        {
            return 0;
        }
    }
}
