using Mediator;
using TrialManager.Server.Common;

namespace TrialManager.Integration.Tests.Architecture;

/// <summary>
/// The write path in one box: only the pipeline enters the write transaction. A command that reads before the write
/// gate is handled in the one two-phase shape (prepare outside, apply inside), and nothing else enters the gate.
/// </summary>
public sealed class WritePathTests
{
    private static readonly Type[] ServerTypes = typeof(WriteTransaction).Assembly.GetTypes();

    private static IEnumerable<(Type Handler, Type Command)> CommandHandlers() =>
        from type in ServerTypes
        where type is { IsClass: true, IsAbstract: false }
        from contract in type.GetInterfaces()
        where contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(ICommandHandler<,>)
        select (type, contract.GetGenericArguments()[0]);

    [Fact]
    public void EveryCommandThatReadsBeforeTheGate_IsHandledInTwoPhases_AndOnlySuchCommandsAre()
    {
        var handlers = CommandHandlers().ToList();
        var marked = handlers.Where(h => typeof(IReadsBeforeWriteGate).IsAssignableFrom(h.Command)).ToList();

        Assert.NotEmpty(marked); // randomization reads before the gate
        Assert.All(handlers, h => Assert.Equal(
            typeof(IReadsBeforeWriteGate).IsAssignableFrom(h.Command), IsTwoPhase(h.Handler)));
    }

    [Fact]
    public void NoHandler_TakesTheWriteTransactionItself_OutsideTheTwoPhaseShape()
    {
        // A handler that asked for the transaction could enter it at a moment of its own choosing; the two-phase
        // base class receives it for the pipeline and hands it on, so only its subclasses may name it.
        var offenders = CommandHandlers().Select(h => h.Handler).Distinct()
            .Where(t => !IsTwoPhase(t) && t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(WriteTransaction))))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(offenders);
    }

    private static bool IsTwoPhase(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(TwoPhaseCommandHandler<,,>))
            {
                return true;
            }
        }

        return false;
    }
}
