using System.Reflection;
using System.Reflection.Emit;

namespace TrialManager.Integration.Tests.Architecture;

/// <summary>
/// The types a compiled type uses: its signatures (base type, interfaces, fields, properties, parameters, locals,
/// attributes) and every type, method and field its method bodies name (read from the IL). Nested types, which the
/// compiler makes for lambdas and async methods, count as their own types with their declaring type's namespace.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static IEnumerable<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        Add(found, type.BaseType);
        type.GetInterfaces().ToList().ForEach(i => Add(found, i));
        type.GetCustomAttributesData().ToList().ForEach(a => Add(found, a.AttributeType));
        type.GetFields(Declared).ToList().ForEach(f => Add(found, f.FieldType));
        type.GetProperties(Declared).ToList().ForEach(p => Add(found, p.PropertyType));
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                Add(found, info.ReturnType);
            }

            method.GetParameters().ToList().ForEach(p => Add(found, p.ParameterType));
            method.GetCustomAttributesData().ToList().ForEach(a => Add(found, a.AttributeType));
            var body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            body.LocalVariables.ToList().ForEach(l => Add(found, l.LocalType));
            foreach (var member in MembersNamedBy(method, body.GetILAsByteArray() ?? []))
            {
                switch (member)
                {
                    case Type t:
                        Add(found, t);
                        break;
                    case MethodBase m:
                        Add(found, m.DeclaringType);
                        if (m.IsGenericMethod)
                        {
                            ((MethodInfo)m).GetGenericArguments().ToList().ForEach(a => Add(found, a));
                        }

                        break;
                    case FieldInfo f:
                        Add(found, f.DeclaringType);
                        Add(found, f.FieldType);
                        break;
                }
            }
        }

        return found;
    }

    /// <summary>The members named by the operands of a method body's instructions (calls, field access, typeof, casts, new).</summary>
    private static IEnumerable<MemberInfo> MembersNamedBy(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, position);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token of a generic context the resolver cannot supply; its types are in the signatures.
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (4 * BitConverter.ToInt32(il, position));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    position += 4;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
            }
        }
    }

    /// <summary>A type with its element type and generic arguments (a List&lt;Actor&gt; uses Actor).</summary>
    private static void Add(HashSet<Type> found, Type? type)
    {
        if (type is null || type.IsGenericParameter || !found.Add(type))
        {
            return;
        }

        if (type.HasElementType)
        {
            Add(found, type.GetElementType());
        }

        if (type.IsGenericType)
        {
            type.GetGenericArguments().ToList().ForEach(a => Add(found, a));
            Add(found, type.GetGenericTypeDefinition());
        }
    }
}
