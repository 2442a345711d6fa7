// Node-API surface of NVX. JavaScript binds one kernel at a time: `bind(name)` returns the
// functions with that kernel as their callback data, so a call dispatches with no lookup and
// tests can run every kernel the CPU has side by side.
//
//   kernels                          [{ name, usable }], best first
//   bind(name) -> {
//     mask(srcBuffer, srcOffset, length, dstBuffer, dstOffset, key) -> true
//     unmask(buffer, offset, length, key) -> true
//     isValidUtf8(buffer, offset, length) -> boolean
//     push(state, buffer, offset, length) -> boolean
//     unmaskPush(state, buffer, offset, length, key) -> boolean
//   }
//
// Bytes arrive as (ArrayBuffer, byteOffset, length), not as typed arrays: reading an ArrayBuffer's
// data pointer costs about half of reading a typed array's through Node-API, and these calls are
// all overhead at small sizes. `state` is the ArrayBuffer of the validator's Float64Array(4) (see
// utf8-stream.h); `key` is the 4-byte mask as a little-endian uint32 already rotated to the phase.
// Every function returns undefined, doing nothing, when the bytes are not in an ArrayBuffer (a
// SharedArrayBuffer): the caller then takes the JavaScript path.
//
// Offsets and lengths are checked here against the ArrayBuffer, because a wrong one would touch
// memory it must not; friendlier validation of user input happens in the TypeScript layer.
#include <napi.h>

#include <cstdint>

#include "registry.h"
#include "utf8-stream.h"

namespace {

using nvx::Kernel;

bool getArrayBuffer(const Napi::CallbackInfo& info, size_t index, uint8_t** data, size_t* length) {
  void* p = nullptr;
  if (napi_get_arraybuffer_info(info.Env(), info[index], &p, length) != napi_ok) return false;
  *data = static_cast<uint8_t*>(p);
  return true;
}

bool getIndex(const Napi::CallbackInfo& info, size_t index, size_t* out) {
  double d = 0;
  if (napi_get_value_double(info.Env(), info[index], &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0) {
    Napi::RangeError::New(info.Env(), "NVX: expected a non-negative integer").ThrowAsJavaScriptException();
    return false;
  }
  *out = size_t(d);
  return true;
}

bool getKey(const Napi::CallbackInfo& info, size_t index, uint32_t* out) {
  if (napi_get_value_uint32(info.Env(), info[index], out) != napi_ok) {
    Napi::TypeError::New(info.Env(), "NVX: expected a uint32 mask key").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// (ArrayBuffer, offset, length) at info[index..index+2] -> a checked byte range. False with a
// pending exception on bad numbers or bounds, false without one when it is no ArrayBuffer (the
// callback then returns undefined).
bool getRange(const Napi::CallbackInfo& info, size_t index, uint8_t** data, size_t* length) {
  uint8_t* base;
  size_t size, offset;
  if (!getArrayBuffer(info, index, &base, &size)) return false;
  if (!getIndex(info, index + 1, &offset) || !getIndex(info, index + 2, length)) return false;
  if (offset > size || *length > size - offset) {
    Napi::RangeError::New(info.Env(), "NVX: range is outside its ArrayBuffer").ThrowAsJavaScriptException();
    return false;
  }
  *data = base + offset;
  return true;
}

bool getState(const Napi::CallbackInfo& info, size_t index, nvx::StreamState** out) {
  uint8_t* data;
  size_t length;
  if (!getArrayBuffer(info, index, &data, &length) || length < sizeof(nvx::StreamState) ||
      reinterpret_cast<uintptr_t>(data) % alignof(nvx::StreamState) != 0) {
    Napi::TypeError::New(info.Env(), "NVX: expected the validator state buffer").ThrowAsJavaScriptException();
    return false;
  }
  *out = reinterpret_cast<nvx::StreamState*>(data);
  return true;
}

const Kernel* kernelOf(const Napi::CallbackInfo& info) { return static_cast<const Kernel*>(info.Data()); }

Napi::Value Bool(const Napi::CallbackInfo& info, bool value) { return Napi::Boolean::New(info.Env(), value); }

Napi::Value Mask(const Napi::CallbackInfo& info) {
  uint8_t *src = nullptr, *dst = nullptr;
  size_t srcLength, dstLength;
  uint32_t key;
  if (!getRange(info, 0, &src, &srcLength)) return Napi::Value();
  // The destination is (buffer, offset) with the source's length.
  uint8_t* dstBase;
  size_t dstSize, dstOffset;
  if (!getArrayBuffer(info, 3, &dstBase, &dstSize)) return Napi::Value();
  if (!getIndex(info, 4, &dstOffset) || !getKey(info, 5, &key)) return Napi::Value();
  if (dstOffset > dstSize || srcLength > dstSize - dstOffset) {
    Napi::RangeError::New(info.Env(), "NVX: mask output range is outside its ArrayBuffer").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  dst = dstBase + dstOffset;
  dstLength = srcLength;
  kernelOf(info)->mask(src, dst, dstLength, key);
  return Bool(info, true);
}

Napi::Value Unmask(const Napi::CallbackInfo& info) {
  uint8_t* p = nullptr;
  size_t length;
  uint32_t key;
  if (!getRange(info, 0, &p, &length)) return Napi::Value();
  if (!getKey(info, 3, &key)) return Napi::Value();
  kernelOf(info)->mask(p, p, length, key);
  return Bool(info, true);
}

Napi::Value IsValidUtf8(const Napi::CallbackInfo& info) {
  uint8_t* p = nullptr;
  size_t length;
  if (!getRange(info, 0, &p, &length)) return Napi::Value();
  return Bool(info, nvx::isValidUtf8(kernelOf(info), p, length));
}

Napi::Value Push(const Napi::CallbackInfo& info) {
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length;
  if (!getState(info, 0, &st)) return Napi::Value();
  if (!getRange(info, 1, &p, &length)) return Napi::Value();
  return Bool(info, nvx::streamPush(kernelOf(info), st, p, length));
}

Napi::Value UnmaskPush(const Napi::CallbackInfo& info) {
  nvx::StreamState* st = nullptr;
  uint8_t* p = nullptr;
  size_t length;
  uint32_t key;
  if (!getState(info, 0, &st)) return Napi::Value();
  if (!getRange(info, 1, &p, &length)) return Napi::Value();
  if (!getKey(info, 4, &key)) return Napi::Value();
  return Bool(info, nvx::streamUnmaskPush(kernelOf(info), st, p, length, key));
}

Napi::Value Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "NVX: bind(name) needs a kernel name").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const Kernel* k = nvx::findUsableKernel(name.c_str());
  if (k == nullptr) {
    Napi::Error::New(env, "NVX: kernel '" + name + "' is not available on this CPU").ThrowAsJavaScriptException();
    return Napi::Value();
  }
  void* data = const_cast<Kernel*>(k);
  Napi::Object fns = Napi::Object::New(env);
  fns.Set("name", Napi::String::New(env, k->name));
  fns.Set("mask", Napi::Function::New(env, Mask, "mask", data));
  fns.Set("unmask", Napi::Function::New(env, Unmask, "unmask", data));
  fns.Set("isValidUtf8", Napi::Function::New(env, IsValidUtf8, "isValidUtf8", data));
  fns.Set("push", Napi::Function::New(env, Push, "push", data));
  fns.Set("unmaskPush", Napi::Function::New(env, UnmaskPush, "unmaskPush", data));
  return fns;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Array kernels = Napi::Array::New(env, nvx::kernelCount());
  for (size_t i = 0; i < nvx::kernelCount(); i++) {
    nvx::KernelEntry e = nvx::kernelAt(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, e.kernel->name));
    o.Set("usable", Napi::Boolean::New(env, e.usable));
    kernels.Set(uint32_t(i), o);
  }
  exports.Set("kernels", kernels);
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  return exports;
}

}  // namespace

NODE_API_MODULE(nvx, Init)
