//===- FakeCudaImage.cpp - module images the fake driver accepts ----------===//
//
// The driver is given no size, so an ELF is trusted to be as long as its
// headers say (the runtime checks that before calling the driver); every
// offset read here is checked against those declared extents.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaImage.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace fakecuda;

namespace {

constexpr uint16_t EM_CUDA = 190;

uint16_t rd16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t rd32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
uint64_t rd64(const uint8_t *p) {
  return uint64_t(rd32(p)) | uint64_t(rd32(p + 4)) << 32;
}

/// A cubin runs on the devices of its major version with a minor version at
/// least its own (sm_80 code on sm_86, not on sm_90).
bool cubinRunsOn(int cubinSm, int deviceSm) {
  return cubinSm / 10 == deviceSm / 10 && cubinSm <= deviceSm;
}

int loadElf(const uint8_t *p, int deviceSm, Image &out, std::string &why) {
  if (p[4] != 2 || p[5] != 1) {
    why = "cubin is not ELF64 little-endian";
    return 200;
  }
  uint16_t type = rd16(p + 16), machine = rd16(p + 18);
  uint32_t flags = rd32(p + 48);
  if (machine != EM_CUDA) {
    why = "ELF e_machine is " + std::to_string(machine) + ", not EM_CUDA (190)";
    return 200;
  }
  if (type != 2) {
    why =
        "cubin is not an executable ELF (e_type " + std::to_string(type) + ")";
    return 200;
  }
  out.kind = "cubin";
  out.sm = int((flags >> 8) & 0xFF);
  if (!cubinRunsOn(out.sm, deviceSm)) {
    why = "cubin for sm_" + std::to_string(out.sm) + " on an sm_" +
          std::to_string(deviceSm) + " device";
    return 209;
  }
  uint64_t shoff = rd64(p + 40);
  uint16_t shentsize = rd16(p + 58), shnum = rd16(p + 60);
  if (shnum == 0 || shentsize < 64) {
    why = "cubin has no section headers";
    return 200;
  }
  auto section = [&](uint32_t i) {
    return p + shoff + uint64_t(i) * shentsize;
  };
  // Kernels: the global functions of the symbol table.
  for (uint16_t i = 0; i < shnum; ++i) {
    const uint8_t *sh = section(i);
    if (rd32(sh + 4) != 2 /*SHT_SYMTAB*/)
      continue;
    uint32_t link = rd32(sh + 40);
    uint64_t entsize = rd64(sh + 56), off = rd64(sh + 24), size = rd64(sh + 32);
    if (link >= shnum || entsize < 24) {
      why = "cubin symbol table is malformed";
      return 200;
    }
    const uint8_t *strtab = section(link);
    uint64_t strOff = rd64(strtab + 24), strSize = rd64(strtab + 32);
    for (uint64_t s = 0; s + entsize <= size; s += entsize) {
      const uint8_t *sym = p + off + s;
      uint32_t name = rd32(sym);
      uint8_t info = sym[4];
      if ((info & 0xF) == 1 /*STT_OBJECT*/ && (info >> 4) == 1 /*GLOBAL*/ &&
          name < strSize) {
        const char *str = reinterpret_cast<const char *>(p + strOff + name);
        out.globals[std::string(str, strnlen(str, strSize - name))] =
            rd64(sym + 16);
        continue;
      }
      if ((info & 0xF) != 2 /*STT_FUNC*/ || (info >> 4) != 1 /*GLOBAL*/)
        continue;
      if (name >= strSize) {
        why = "cubin symbol name is outside its string table";
        return 200;
      }
      const char *str = reinterpret_cast<const char *>(p + strOff + name);
      size_t len = strnlen(str, strSize - name);
      out.kernels[std::string(str, len)];
    }
  }
  // Parameters: EIATTR_KPARAM_INFO (0x17) records of .nv.info.<kernel>.
  uint16_t shstrndx = rd16(p + 62);
  if (shstrndx >= shnum)
    return 0;
  const uint8_t *names = section(shstrndx);
  uint64_t namesOff = rd64(names + 24), namesSize = rd64(names + 32);
  for (uint16_t i = 0; i < shnum; ++i) {
    const uint8_t *sh = section(i);
    uint32_t nameIdx = rd32(sh);
    if (nameIdx >= namesSize)
      continue;
    const char *str = reinterpret_cast<const char *>(p + namesOff + nameIdx);
    std::string secName(str, strnlen(str, namesSize - nameIdx));
    if (secName.rfind(".nv.info.", 0) != 0)
      continue;
    auto it = out.kernels.find(secName.substr(9));
    if (it == out.kernels.end())
      continue;
    const uint8_t *data = p + rd64(sh + 24);
    uint64_t size = rd64(sh + 32);
    std::map<uint32_t, std::pair<uint32_t, uint32_t>>
        params; // ordinal -> (offset, size)
    bool ok = true;
    for (uint64_t o = 0; o + 4 <= size;) {
      uint8_t format = data[o], attr = data[o + 1];
      uint64_t len = format == 4 ? 4 + rd16(data + o + 2) : format == 1 ? 2 : 4;
      if (format < 1 || format > 4 || o + len > size) {
        ok = false;
        break;
      }
      if (attr == 0x17 && format == 4 && len >= 16) {
        uint32_t ordinal = rd16(data + o + 8), offset = rd16(data + o + 10);
        uint32_t bytes = (rd32(data + o + 12) >> 18) & 0x3FFF;
        params[ordinal] = {offset, bytes};
      }
      o += len;
    }
    KernelInfo &k = it->second;
    if (!ok)
      continue;
    for (uint32_t ordinal = 0; ordinal < params.size(); ++ordinal) {
      auto param = params.find(ordinal);
      if (param == params.end()) {
        ok = false;
        break;
      }
      k.offsets.push_back(param->second.first);
      k.sizes.push_back(param->second.second);
    }
    k.paramsKnown = ok;
    if (!ok) {
      k.offsets.clear();
      k.sizes.clear();
    }
  }
  return 0;
}

/// Parses "NAME (" parameter lists of every .entry.
int parsePtxEntries(const std::string &text, Image &out, std::string &why) {
  size_t pos = 0;
  while ((pos = text.find(".entry", pos)) != std::string::npos) {
    pos += 6;
    size_t i = pos;
    while (i < text.size() && isspace(static_cast<unsigned char>(text[i])))
      ++i;
    size_t start = i;
    while (i < text.size() && (isalnum(static_cast<unsigned char>(text[i])) ||
                               text[i] == '_' || text[i] == '$'))
      ++i;
    std::string name = text.substr(start, i - start);
    size_t open = text.find('(', i), close = text.find(')', i);
    if (name.empty() || open == std::string::npos ||
        close == std::string::npos || open > close) {
      why = "malformed .entry";
      return 218;
    }
    std::vector<uint32_t> sizes;
    std::string list = text.substr(open + 1, close - open - 1);
    size_t p = 0;
    while ((p = list.find(".param", p)) != std::string::npos) {
      p += 6;
      size_t end = list.find(',', p);
      std::string decl = list.substr(
          p, end == std::string::npos ? std::string::npos : end - p);
      uint32_t size = 0;
      static const struct {
        const char *type;
        uint32_t size;
      } types[] = {{".u64", 8}, {".s64", 8}, {".b64", 8}, {".f64", 8},
                   {".u32", 4}, {".s32", 4}, {".b32", 4}, {".f32", 4},
                   {".u16", 2}, {".s16", 2}, {".b16", 2}, {".f16", 2},
                   {".u8", 1},  {".s8", 1},  {".b8", 1}};
      for (const auto &t : types)
        if (decl.find(t.type) != std::string::npos) {
          size = t.size;
          break;
        }
      size_t bracket = decl.find('[');
      if (bracket != std::string::npos)
        size *= uint32_t(std::strtoul(decl.c_str() + bracket + 1, nullptr, 10));
      if (size == 0) {
        why = "unknown parameter type in .entry " + name;
        return 218;
      }
      sizes.push_back(size);
    }
    KernelInfo &k = out.kernels[name];
    k.paramsKnown = true;
    k.offsets = layoutParams(sizes);
    k.sizes = sizes;
    pos = close;
  }
  return 0;
}

int loadPtx(const char *text, int deviceSm, int maxPtx, Image &out,
            std::string &why) {
  std::string s(text);
  for (unsigned char c : s)
    if (!isprint(c) && !isspace(c)) {
      why =
          "not PTX text (a byte 0x" + std::to_string(c) + " that is not text)";
      return 200;
    }
  out.kind = "ptx";
  int major = 0, minor = 0, sm = 0;
  size_t v = s.find(".version");
  size_t t = s.find(".target");
  if (v == std::string::npos ||
      std::sscanf(s.c_str() + v, ".version %d.%d", &major, &minor) != 2) {
    why = "no .version directive";
    return 218;
  }
  if (t == std::string::npos ||
      std::sscanf(s.c_str() + t, ".target sm_%d", &sm) != 1) {
    why = "no .target sm_NN directive";
    return 218;
  }
  out.sm = sm;
  if (major * 10 + minor > maxPtx) {
    why = "PTX ISA " + std::to_string(major) + "." + std::to_string(minor) +
          " is newer than the driver's " + std::to_string(maxPtx / 10) + "." +
          std::to_string(maxPtx % 10);
    return 222;
  }
  if (sm > deviceSm) {
    why = ".target sm_" + std::to_string(sm) + " is above the device's sm_" +
          std::to_string(deviceSm);
    return 218;
  }
  if (s.find(".entry") == std::string::npos) {
    why = "no .entry";
    return 218;
  }
  // ".visible .global .align A .b8 NAME[N];" (or .b32 / .b64 / .u64 ...).
  for (size_t pos = 0; (pos = s.find(".global ", pos)) != std::string::npos;
       ++pos) {
    size_t end = s.find(';', pos);
    if (end == std::string::npos)
      break;
    std::string decl = s.substr(pos, end - pos);
    size_t type = decl.find(" .b");
    if (type == std::string::npos)
      type = decl.find(" .u");
    if (type == std::string::npos)
      continue;
    unsigned bits = std::strtoul(decl.c_str() + type + 3, nullptr, 10);
    size_t nameAt = decl.find(' ', type + 1);
    if (nameAt == std::string::npos || bits == 0)
      continue;
    std::string rest = decl.substr(nameAt + 1);
    size_t bracket = rest.find('[');
    uint64_t count = 1;
    if (bracket != std::string::npos)
      count = std::strtoull(rest.c_str() + bracket + 1, nullptr, 10);
    std::string name = rest.substr(0, bracket);
    while (!name.empty() && (name.back() == ' ' || name.back() == '='))
      name.pop_back();
    out.globals[name] = count * bits / 8;
  }
  return parsePtxEntries(s, out, why);
}

int loadFatbin(const uint8_t *p, int deviceSm, int maxPtx, Image &out,
               std::string &why) {
  uint16_t header = rd16(p + 6);
  uint64_t size = rd64(p + 8);
  bool ptxCandidate = false;
  int ptxSm = 0;
  for (uint64_t off = header; off + 32 <= header + size;) {
    const uint8_t *e = p + off;
    uint16_t kind = rd16(e);
    uint32_t entryHeader = rd32(e + 4);
    uint64_t payload = rd64(e + 8);
    int arch = int(rd32(e + 28));
    if (entryHeader < 32 || payload > header + size - off - entryHeader) {
      why = "fatbin entry extends beyond the fatbin";
      return 200;
    }
    const uint8_t *data = e + entryHeader;
    if (kind == 2 && cubinRunsOn(arch, deviceSm) && payload >= 64 &&
        std::memcmp(data,
                    "\x7f"
                    "ELF",
                    4) == 0) {
      int r = loadElf(data, deviceSm, out, why);
      out.kind = "fatbin";
      return r;
    }
    if (kind == 1 && arch <= deviceSm) {
      ptxCandidate = true;
      ptxSm = arch;
    }
    off += entryHeader + payload;
  }
  if (ptxCandidate) {
    // PTX entries are compressed by default: accept any kernel name.
    out.kind = "fatbin";
    out.sm = ptxSm;
    out.kernelsKnown = false;
    return 0;
  }
  why = "fatbin has no entry for sm_" + std::to_string(deviceSm);
  return 209;
}

/// Whether the image starts with `magic`, reading no byte past a mismatch
/// (a PTX string may be shorter than 4 bytes).
bool startsWith(const uint8_t *p, const uint8_t (&magic)[4]) {
  for (int i = 0; i < 4; ++i)
    if (p[i] != magic[i])
      return false;
  return true;
}

} // namespace

std::vector<uint32_t>
fakecuda::layoutParams(const std::vector<uint32_t> &sizes) {
  std::vector<uint32_t> offsets;
  uint32_t offset = 0;
  for (uint32_t size : sizes) {
    uint32_t align = size >= 8 ? 8 : size == 0 ? 1 : size;
    offset = (offset + align - 1) / align * align;
    offsets.push_back(offset);
    offset += size;
  }
  return offsets;
}

int fakecuda::loadImage(const void *image, int deviceSm, int maxPtx, Image &out,
                        std::string &why) {
  const auto *p = static_cast<const uint8_t *>(image);
  static const uint8_t elfMagic[4] = {0x7f, 'E', 'L', 'F'};
  static const uint8_t fatbinMagic[4] = {0x50, 0xED, 0x55, 0xBA};
  if (startsWith(p, elfMagic))
    return loadElf(p, deviceSm, out, why);
  if (startsWith(p, fatbinMagic))
    return loadFatbin(p, deviceSm, maxPtx, out, why);
  return loadPtx(static_cast<const char *>(image), deviceSm, maxPtx, out, why);
}
