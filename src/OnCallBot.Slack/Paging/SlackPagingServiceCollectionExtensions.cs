using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Coordination;
using OnCallBot.Slack.Inbound;

namespace OnCallBot.Slack.Paging;

/// <summary>Registers Slack's side of the paging flow; called by <see cref="SlackServiceCollectionExtensions.AddSlack"/>.</summary>
internal static class SlackPagingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SlackChatPlatform"/> as an <see cref="IChatPlatform"/> (enumerable, beside Teams'), and
    /// <see cref="SlackPagingHandler"/> as the <see cref="ISlackInboundHandler"/> (scoped: the transport resolves it
    /// from a fresh scope per request). Both need the core's <c>PagingService</c> and <c>IOnCallModelProvider</c>,
    /// which the host registers, and the platform needs an <see cref="IDirectConversationStore"/> (the store's, from
    /// AddOnCallStorage) to remember each person's DM channel.
    /// </summary>
    public static IServiceCollection AddSlackPaging(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatPlatform, SlackChatPlatform>());
        services.TryAddSingleton<SlackBackgroundWork>();
        services.TryAddScoped<ISlackInboundHandler, SlackPagingHandler>();
        services.AddHttpClient<SlackResponseUrlClient>(client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSlackCoordination();
        return services;
    }
}
