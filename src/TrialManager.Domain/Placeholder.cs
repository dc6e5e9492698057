namespace TrialManager.Domain; internal static class Placeholder { }
