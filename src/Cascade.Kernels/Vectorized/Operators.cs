using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

// Operator structs, TensorPrimitives-style: each kernel's math is written once per width (scalar, 256, 512)
// in a tiny struct, and one shared driver (ElementwiseDriver) walks the spans with the widest hardware path, then
// 256-bit, then a scalar tail. Instance fields carry parameters (slope, lr, ...); because the driver is generic
// over a struct, the JIT specialises and inlines Invoke, so there is no per-element call.

/// <summary>y = f(x).</summary>
internal interface IUnaryOp
{
    float Invoke(float x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>z = f(x, y).</summary>
internal interface IBinaryOp
{
    float Invoke(float x, float y);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>w = f(x, y, z); with w aliasing z this is the "dx += g(y, dy)" shape of every backward kernel.</summary>
internal interface ITernaryOp
{
    float Invoke(float x, float y, float z);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>v = f(x, y, z, w); v may alias w (accumulation with three inputs, e.g. layer-norm's dx).</summary>
internal interface IQuaternaryOp
{
    float Invoke(float x, float y, float z, float w);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z, Vector256<float> w);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z, Vector512<float> w);
}

/// <summary>In-place update of weights w and one state s from gradient g (Adagrad, SGD with momentum).</summary>
internal interface IUpdate1Op
{
    void Invoke(ref float w, float g, ref float s);
    void Invoke(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> s);
    void Invoke(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> s);
}

/// <summary>In-place update of weights w and two states s, t from gradient g (Adam, FTRL).</summary>
internal interface IUpdate2Op
{
    void Invoke(ref float w, float g, ref float s, ref float t);
    void Invoke(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> s, ref Vector256<float> t);
    void Invoke(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> s, ref Vector512<float> t);
}
