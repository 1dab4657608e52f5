using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Hosting;

/// <summary>
/// The one way an options class is registered: bound from its settings, checked at start-up by its generated
/// validator (<c>[OptionsValidator]</c>: the class's data annotations, then its <c>IValidatableObject</c> rules),
/// and read through <see cref="IOptions{TOptions}"/>.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidation>(this IServiceCollection services, IConfiguration settings)
        where TOptions : class
        where TValidation : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidation>());
        return services.AddOptions<TOptions>().Bind(settings).ValidateOnStart();
    }
}
