// Lowers the check program to LLVM IR: one function per requirement, message and exclusion
// functions, and the `conform_evaluate_all` entry. Every value is a pair (bits, known) so that
// three-valued logic matches the interpreter exactly.
#include "codegen.h"

#include <fmt/format.h>
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "conform/compiler/builtins.h"
#include "conform/compiler/joins.h"
#include "conform/compiler/result.h"
#include "conform/compiler/rt_helpers.h"

namespace conform::codegen {

std::string MessageFunction(size_t requirement) { return fmt::format("conform_message_{}", requirement); }
std::string RequirementFunction(size_t requirement) { return fmt::format("conform_req_{}", requirement); }
std::string FailingFunction(size_t requirement) { return fmt::format("conform_failing_{}", requirement); }
bool NeedsFailing(const ir::Program& p, const ir::Requirement& r) {
  if (r.witness_var < 0) return false;
  return std::any_of(r.message.begin(), r.message.end(), [](const ir::MessagePiece& m) { return m.each; }) ||
         p.types.Kind(p.nodes[p.nodes[r.pass].a].type) == TypeKind::Set;
}

namespace {

using ir::Node;
using ir::Op;
using llvm::BasicBlock;
using llvm::Function;
using llvm::Value;

struct CV {
  Value* v;  // i64 bits
  Value* k;  // i1 known
};

class Gen {
 public:
  Gen(const ir::Program& p, llvm::LLVMContext& c, llvm::Module& m)
      : p_(p), joins_(ir::Joins(p)), schema_(*p.schema), c_(c), m_(m), b_(c) {
    i1_ = llvm::Type::getInt1Ty(c);
    i8_ = llvm::Type::getInt8Ty(c);
    i32_ = llvm::Type::getInt32Ty(c);
    i64_ = llvm::Type::getInt64Ty(c);
    f64_ = llvm::Type::getDoubleTy(c);
    ptr_ = llvm::PointerType::get(c, 0);
    void_ = llvm::Type::getVoidTy(c);
    seq_ty_ = llvm::StructType::get(c, {i64_, ptr_});
    size_t max_fields = 0;
    for (const auto& e : schema_.entities) max_fields = std::max<size_t>(max_fields, e.size_bytes() / 8);
    auto* zty = llvm::ArrayType::get(i64_, std::max<size_t>(max_fields, 1));
    // Read in place of an unknown record, so field loads need no branch.
    zero_record_ = new llvm::GlobalVariable(m_, zty, true, llvm::GlobalValue::PrivateLinkage,
                                            llvm::ConstantAggregateZero::get(zty), "conform.zero_record");
  }

  // Defines requirements [begin, end) and their messages; with `entry`, the entry point and
  // exclusions too (calling requirements defined in this module or declared for another).
  void Build(const Part& part, bool all) {
    size_t n = p_.requirements.size();
    std::vector<Function*> reqs(n, nullptr);
    size_t b = all ? 0 : part.begin, e = all ? n : part.end;
    // One module with everything: requirements stay internal, and small rule sets are inlined
    // into the entry (straight-line code, as hand-written checks would be).
    bool whole = all || (part.entry && b == 0 && e == n);
    inline_requirements_ = whole && n <= kInlineLimit;
    for (size_t i = b; i < e; ++i) reqs[i] = BuildRequirement(i, !whole);
    for (size_t i = b; i < e; ++i) {
      BuildMessage(i);
      if (NeedsFailing(p_, p_.requirements[i])) BuildFailing(i);
    }
    if (!(all || part.entry)) return;
    BuildExclusions();
    auto* rty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_, ptr_}, false);
    for (size_t i = 0; i < n; ++i)
      if (!reqs[i]) reqs[i] = Function::Create(rty, Function::ExternalLinkage, RequirementFunction(i), m_);
    auto* fty = llvm::FunctionType::get(void_, {ptr_, ptr_, ptr_, i64_, ptr_, ptr_}, false);
    Function* f = Function::Create(fty, Function::ExternalLinkage, kEntry, m_);
    // The verdict and witness arrays never alias evidence memory: without this, every store
    // of a verdict forces the next requirement to reload the same presence words.
    f->addParamAttr(4, llvm::Attribute::NoAlias);
    f->addParamAttr(5, llvm::Attribute::NoAlias);
    Begin(f, /*load_globals=*/false);
    auto a = f->arg_begin();
    Value *ctx = a++, *root = a++, *params = a++, *as_of = a++, *verdicts = a++, *witnesses = a++;
    if (!p_.globals.empty()) {
      // Standard- and module-level lets, once per organization, for every other function.
      const size_t g = p_.globals.size();
      Value* slots = b_.CreateCall(Helper("conform_rt_globals"), {ctx_, b_.getInt64(g)});
      for (size_t k = 0; k < g; ++k) {
        CV v = E(p_.globals[k].value);
        vars_[p_.globals[k].var] = v;
        b_.CreateStore(v.v, b_.CreateInBoundsGEP(i64_, slots, b_.getInt64(k)));
        b_.CreateStore(b_.CreateZExt(v.k, i64_), b_.CreateInBoundsGEP(i64_, slots, b_.getInt64(g + k)));
      }
    }
    for (size_t i = 0; i < reqs.size(); ++i) {
      Value* wslot = b_.CreateInBoundsGEP(i64_, witnesses, b_.getInt64(i));
      Value* v = b_.CreateCall(reqs[i], {ctx, root, params, as_of, wslot});
      b_.CreateStore(b_.CreateTrunc(v, i8_), b_.CreateInBoundsGEP(i8_, verdicts, b_.getInt64(i)));
    }
    b_.CreateRetVoid();
  }

 private:
  // ---- function scaffolding -----------------------------------------------------
  // Messages and exclusions run once per failing requirement or per organization: they are
  // left unoptimised (and so compiled by the fast instruction selector), which keeps a cold
  // compile of a whole standard fast. Hot requirement code gets the full O2 pipeline.
  void Cold(Function* f) {
    f->addFnAttr(llvm::Attribute::OptimizeNone);
    f->addFnAttr(llvm::Attribute::NoInline);
    f->addFnAttr(llvm::Attribute::Cold);
  }

  void Begin(Function* f, bool load_globals = true) {
    fn_ = f;
    auto a = f->arg_begin();
    ctx_ = a++;
    root_ = a++;
    params_ = a++;
    as_of_ = a++;
    BasicBlock* entry = BasicBlock::Create(c_, "entry", f);
    alloca_block_ = entry;
    b_.SetInsertPoint(entry);
    vars_.assign(p_.num_vars, CV{nullptr, nullptr});
    const_seqs_.clear();
    if (load_globals && !p_.globals.empty()) {
      const size_t g = p_.globals.size();
      Value* slots = b_.CreateCall(Helper("conform_rt_globals"), {ctx_, b_.getInt64(g)});
      for (size_t k = 0; k < g; ++k) {
        Value* v = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, slots, b_.getInt64(k)));
        Value* known = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, slots, b_.getInt64(g + k)));
        vars_[p_.globals[k].var] = {v, b_.CreateICmpNE(known, b_.getInt64(0))};
      }
    }
  }

  llvm::AllocaInst* Slot(llvm::Type* t, const char* name) {
    llvm::IRBuilder<> tmp(alloca_block_, alloca_block_->begin());
    return tmp.CreateAlloca(t, nullptr, name);
  }

  BasicBlock* Block(const char* name) { return BasicBlock::Create(c_, name, fn_); }

  // A list or set (a pointer to a Seq): its element count and its element array.
  Value* SeqSize(Value* seq) { return b_.CreateLoad(i64_, b_.CreateStructGEP(seq_ty_, seq, 0)); }
  Value* SeqData(Value* seq) { return b_.CreateLoad(ptr_, b_.CreateStructGEP(seq_ty_, seq, 1)); }

  // A loop over the list `seq`: i = 0 in i_slot; `head` goes to `body` while i < size, else to
  // `exit`. Leaves the builder at the start of `body` and returns i and element i; the caller
  // stores i + 1 and branches back to `head`.
  struct LoopAt {
    Value* i;
    Value* elem;
  };
  LoopAt CountedLoop(Value* seq, llvm::AllocaInst* i_slot, BasicBlock* head, BasicBlock* body, BasicBlock* exit) {
    Value* size = SeqSize(seq);
    Value* data = SeqData(seq);
    b_.CreateStore(b_.getInt64(0), i_slot);
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    Value* i = b_.CreateLoad(i64_, i_slot);
    b_.CreateCondBr(b_.CreateICmpSLT(i, size), body, exit);
    b_.SetInsertPoint(body);
    return {i, b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, data, i))};
  }

  // A runtime helper, declared with the LLVM type of its C prototype (rt_abi.h).
  llvm::FunctionCallee Helper(const char* name) {
    const HelperSymbol* h = FindHelper(name);
    if (!h) throw std::logic_error(fmt::format("codegen: no runtime helper `{}`", name));
    auto type = [&](RtType t) -> llvm::Type* { return t == RtType::Void ? void_ : t == RtType::Ptr ? ptr_ : i64_; };
    std::vector<llvm::Type*> params;
    for (size_t i = 0; i < h->sig.arity; ++i) params.push_back(type(h->sig.params[i]));
    llvm::FunctionCallee f = m_.getOrInsertFunction(name, llvm::FunctionType::get(type(h->sig.ret), params, false));
    if (auto* fn = llvm::dyn_cast<Function>(f.getCallee()); fn && h->pure) {
      fn->setDoesNotAccessMemory();
      fn->setDoesNotThrow();
      fn->setWillReturn();
    }
    return f;
  }

  // A requirement function's return value (result.h: the values are the generated code's ABI).
  llvm::ConstantInt* Code(VerdictCode code) { return b_.getInt32(static_cast<uint32_t>(code)); }
  Value* True() { return llvm::ConstantInt::getTrue(c_); }
  Value* False() { return llvm::ConstantInt::getFalse(c_); }
  CV Unknown() { return {b_.getInt64(0), False()}; }
  CV KnownV(Value* v) { return {v, True()}; }
  Value* Bool64(Value* i1) { return b_.CreateZExt(i1, i64_); }
  Value* IsTrue(CV x) { return b_.CreateAnd(x.k, b_.CreateICmpNE(x.v, b_.getInt64(0))); }
  Value* IsFalse(CV x) { return b_.CreateAnd(x.k, b_.CreateICmpEQ(x.v, b_.getInt64(0))); }
  Value* ToDouble(Value* bits) { return b_.CreateBitCast(bits, f64_); }
  Value* FromDouble(Value* d) { return b_.CreateBitCast(d, i64_); }
  TypeKind Kind(TypeId t) const { return p_.types.Kind(t); }

  // Ends the current block with a branch to `done` and joins there: (v, k) of an earlier
  // branch from `from` with `here`, the value computed on the current path.
  CV JoinAt(BasicBlock* done, BasicBlock* from, Value* from_v, Value* from_k, CV here) {
    BasicBlock* here_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* pv = b_.CreatePHI(i64_, 2);
    llvm::PHINode* pk = b_.CreatePHI(i1_, 2);
    pv->addIncoming(from_v, from);
    pk->addIncoming(from_k, from);
    pv->addIncoming(here.v, here_end);
    pk->addIncoming(here.k, here_end);
    return {pv, pk};
  }

  // Runs `make` only when `k` holds; yields (result, k). Keeps helpers away from garbage inputs.
  template <typename F>
  CV Guarded(Value* k, F make) {
    BasicBlock* from = b_.GetInsertBlock();
    BasicBlock* yes = Block("guard.yes");
    BasicBlock* done = Block("guard.done");
    b_.CreateCondBr(k, yes, done);
    b_.SetInsertPoint(yes);
    Value* r = make();
    BasicBlock* yes_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
    phi->addIncoming(b_.getInt64(0), from);
    phi->addIncoming(r, yes_end);
    return {phi, k};
  }

  // The shared head of a loop over a list or set: loads size and data in `pre`, counts `i` in
  // `head`, and in `body` binds the variable to element i and applies the `where` filter
  // (a rejected element jumps to `next`). Returns i; the caller restores the variable.
  // With a join, `list` is its matching elements and the filter is the join's other conjuncts.
  Value* OpenLoop(const Node& n, const CV& list, llvm::AllocaInst* i_slot, BasicBlock* pre, BasicBlock* head,
                  BasicBlock* body, BasicBlock* next, BasicBlock* finish, CV& saved, const char* filtered,
                  const ir::Join* join = nullptr) {
    b_.SetInsertPoint(pre);
    auto [i, elem] = CountedLoop(b_.CreateIntToPtr(list.v, ptr_), i_slot, head, body, finish);
    saved = vars_[n.var];
    vars_[n.var] = KnownV(elem);
    auto filter = [&](const std::vector<int32_t>& conjuncts) {
      for (int32_t c : conjuncts) {
        CV f = E(c);
        BasicBlock* pass = Block(filtered);
        b_.CreateCondBr(IsTrue(f), pass, next);
        b_.SetInsertPoint(pass);
      }
    };
    if (join_use_) {
      // A join: its matching elements and the other conjuncts, or the whole list and the filter.
      BasicBlock* joined = Block("j.filter");
      BasicBlock* plain = Block("j.plain");
      BasicBlock* pass = Block(filtered);
      b_.CreateCondBr(join_use_, joined, plain);
      b_.SetInsertPoint(joined);
      filter(join->rest);
      b_.CreateBr(pass);
      b_.SetInsertPoint(plain);
      filter({n.b});
      b_.CreateBr(pass);
      b_.SetInsertPoint(pass);
      join_use_ = nullptr;
    } else if (n.b >= 0) {
      filter({n.b});
    }
    return i;
  }

  // The list a loop runs over: for a join (joins.h), once the join has been evaluated
  // JoinIndex::kScansBeforeIndex times, the elements whose key equals the probe; else the list.
  // Sets join_use_ (whether the index is used) for OpenLoop's filter.
  CV JoinSource(const Node& n, const ir::Join* join, const CV& list) {
    if (!join) return list;
    // A short list is scanned without asking the runtime.
    Value* size = SeqSize(b_.CreateIntToPtr(list.v, ptr_));
    BasicBlock* from = b_.GetInsertBlock();
    BasicBlock* ask = Block("j.ask");
    BasicBlock* indexed = Block("j.indexed");
    BasicBlock* merged = Block("j.source");
    b_.CreateCondBr(b_.CreateICmpSGE(size, b_.getInt64(JoinIndex::kMinElements)), ask, merged);
    b_.SetInsertPoint(ask);
    Value* ix = b_.CreateCall(Helper("conform_rt_join_index"), {ctx_, b_.getInt64(join->slot)});
    Value* use = b_.CreateICmpNE(b_.CreateCall(Helper("conform_rt_join_use"), {ix}), b_.getInt64(0));
    b_.CreateCondBr(use, indexed, merged);
    b_.SetInsertPoint(indexed);
    Value* matches = JoinedList(n, *join, list, ix);
    BasicBlock* indexed_end = b_.GetInsertBlock();
    b_.CreateBr(merged);
    b_.SetInsertPoint(merged);
    llvm::PHINode* src = b_.CreatePHI(i64_, 3);
    src->addIncoming(list.v, from);
    src->addIncoming(list.v, ask);
    src->addIncoming(matches, indexed_end);
    llvm::PHINode* used = b_.CreatePHI(i1_, 3);
    used->addIncoming(False(), from);
    used->addIncoming(False(), ask);
    used->addIncoming(True(), indexed_end);
    join_use_ = used;
    return KnownV(src);
  }

  // A join (joins.h): builds the evaluation's index `ix` of `list` by the key if needed, then
  // yields a pointer (as i64) to a Seq of the elements whose key equals the probe — empty when
  // the probe is unknown. `list` is known here.
  Value* JoinedList(const Node& n, const ir::Join& j, const CV& list, Value* ix) {
    Value* ready = b_.CreateCall(Helper("conform_rt_join_ready"), {ix});
    BasicBlock* build = Block("j.build");
    BasicBlock* head = Block("j.head");
    BasicBlock* body = Block("j.body");
    BasicBlock* add = Block("j.add");
    BasicBlock* next = Block("j.next");
    BasicBlock* built = Block("j.built");
    BasicBlock* probe = Block("j.probe");
    b_.CreateCondBr(b_.CreateICmpNE(ready, b_.getInt64(0)), probe, build);
    b_.SetInsertPoint(build);
    llvm::AllocaInst* i_slot = Slot(i64_, "j.i");
    auto [i, elem] = CountedLoop(b_.CreateIntToPtr(list.v, ptr_), i_slot, head, body, built);
    CV saved = vars_[n.var];
    vars_[n.var] = KnownV(elem);
    CV key = E(j.key);
    vars_[n.var] = saved;
    b_.CreateCondBr(key.k, add, next);
    b_.SetInsertPoint(add);
    b_.CreateCall(Helper("conform_rt_join_add"), {ix, key.v, elem});
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
    b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), i_slot);
    b_.CreateBr(head);
    b_.SetInsertPoint(built);
    b_.CreateCall(Helper("conform_rt_join_finish"), {ix});
    b_.CreateBr(probe);
    b_.SetInsertPoint(probe);
    llvm::AllocaInst* out = Slot(seq_ty_, "j.matches");
    b_.CreateStore(b_.getInt64(0), b_.CreateStructGEP(seq_ty_, out, 0));
    b_.CreateStore(llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_)), b_.CreateStructGEP(seq_ty_, out, 1));
    CV pv = E(j.probe);
    BasicBlock* known = Block("j.probe.known");
    BasicBlock* done = Block("j.probed");
    b_.CreateCondBr(pv.k, known, done);
    b_.SetInsertPoint(known);
    b_.CreateCall(Helper("conform_rt_join_probe"), {ix, pv.v, out});
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    return b_.CreatePtrToInt(out, i64_);
  }

  // ---- expressions ----------------------------------------------------------------
  // `lower(x) == "text"` / `upper(x) != "text"` (either side): compared byte by byte by
  // conform_rt_case_eq instead of interning the mapped string and comparing ids.
  bool CaseEquality(const Node& n, CV& out) {
    if ((n.op != Op::Eq && n.op != Op::Ne) || n.aux != 0) return false;
    auto mapped = [&](int32_t idx) -> int {  // 0 lower, 1 upper, -1 neither
      const Node& c = p_.nodes[idx];
      if (c.op != Op::Call || c.args.size() != 1) return -1;
      const std::string& sym = p_.builtins.at(static_cast<size_t>(c.imm));
      return sym == "conform_rt_lower" ? 0 : sym == "conform_rt_upper" ? 1 : -1;
    };
    int32_t call = n.a, lit = n.b;
    if (mapped(call) < 0 || p_.nodes[lit].op != Op::Const) std::swap(call, lit);
    const int upper = mapped(call);
    if (upper < 0 || p_.nodes[lit].op != Op::Const || Kind(p_.nodes[lit].type) != TypeKind::String) return false;
    CV x = E(p_.nodes[call].args[0]);
    auto fnc = Helper("conform_rt_case_eq");
    CV eq = Guarded(x.k, [&] { return b_.CreateCall(fnc, {ctx_, x.v, b_.getInt64(p_.nodes[lit].imm), b_.getInt64(upper)}); });
    out = {n.op == Op::Eq ? eq.v : b_.CreateSelect(x.k, b_.CreateXor(eq.v, b_.getInt64(1)), b_.getInt64(0)), x.k};
    return true;
  }
  CV E(int32_t idx);
  CV Collection(const Node& n, int64_t* witness_slot_unused = nullptr);
  CV Quantifier(const Node& n, Value* witness_out);
  Value* ConstSeq(const Node& n);

  Function* BuildRequirement(size_t i, bool exported);
  void BuildMessage(size_t i);
  void BuildFailing(size_t i);
  CV Filter(const Node& n);
  void BuildExclusions();
  void BindLets(const ir::Requirement& r) {
    for (const auto& l : r.lets) vars_[l.var] = E(l.value);
  }

  const ir::Program& p_;
  const ir::JoinPlan& joins_;
  const SchemaModel& schema_;
  llvm::LLVMContext& c_;
  llvm::Module& m_;
  llvm::IRBuilder<> b_;
  llvm::Type *i1_, *i8_, *i32_, *i64_, *f64_, *ptr_, *void_;
  llvm::StructType* seq_ty_;
  llvm::GlobalVariable* zero_record_;
  Function* fn_ = nullptr;
  BasicBlock* alloca_block_ = nullptr;
  Value *ctx_ = nullptr, *root_ = nullptr, *params_ = nullptr, *as_of_ = nullptr;
  std::vector<CV> vars_;
  std::unordered_map<int32_t, Value*> const_seqs_;
  bool inline_requirements_ = false;
  Value* join_use_ = nullptr;  // JoinSource → OpenLoop: whether the join's index is used (i1)
  int global_counter_ = 0;
};

Value* Gen::ConstSeq(const Node& n) {
  // A set literal of constants becomes a sorted global array: no allocation at run time.
  std::vector<int64_t> items;
  for (int32_t a : n.args) items.push_back(p_.nodes[a].imm);
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::vector<llvm::Constant*> cs;
  for (int64_t v : items) cs.push_back(b_.getInt64(v));
  auto* aty = llvm::ArrayType::get(i64_, items.size());
  auto* data = new llvm::GlobalVariable(m_, aty, true, llvm::GlobalValue::PrivateLinkage,
                                        llvm::ConstantArray::get(aty, cs), fmt::format("conform.set{}", global_counter_++));
  auto* seq = new llvm::GlobalVariable(
      m_, seq_ty_, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantStruct::get(seq_ty_, {b_.getInt64(items.size()), data}), fmt::format("conform.seq{}", global_counter_++));
  return seq;
}

CV Gen::E(int32_t idx) {
  const Node& n = p_.nodes[idx];
  switch (n.op) {
    case Op::Const: return KnownV(b_.getInt64(n.imm));
    case Op::Param: return KnownV(b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, params_, b_.getInt64(n.imm))));
    case Op::AsOf: return KnownV(as_of_);
    case Op::Root: return {b_.CreatePtrToInt(root_, i64_), b_.CreateICmpNE(root_, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_)))};
    case Op::Var: return vars_[n.var].v ? vars_[n.var] : Unknown();
    case Op::Field: {
      CV r = E(n.a);
      Value* rec = b_.CreateSelect(r.k, b_.CreateIntToPtr(r.v, ptr_), zero_record_);
      uint32_t f = static_cast<uint32_t>(n.imm);
      Value* slot = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, rec, b_.getInt64(n.aux + f)));
      // A required field is present in every loaded record (the loader rejects it otherwise):
      // no presence test, it is known whenever its record is.
      const EntityDef& ent = schema_.entities[p_.types[p_.nodes[n.a].type].ref];
      if (!ent.fields[f].optional) return {b_.CreateSelect(r.k, slot, b_.getInt64(0)), r.k};
      Value* word = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, rec, b_.getInt64(f / 64)));
      Value* bit = b_.CreateICmpNE(b_.CreateAnd(word, b_.getInt64(uint64_t{1} << (f % 64))), b_.getInt64(0));
      Value* k = b_.CreateAnd(r.k, bit);
      return {b_.CreateSelect(k, slot, b_.getInt64(0)), k};
    }
    case Op::IsPresent: return KnownV(Bool64(E(n.a).k));
    case Op::IsAbsent: return KnownV(Bool64(b_.CreateNot(E(n.a).k)));
    case Op::Default: {
      CV a = E(n.a);
      CV d = E(n.b);
      return {b_.CreateSelect(a.k, a.v, d.v), b_.CreateOr(a.k, d.k)};
    }
    case Op::Neg: {
      CV a = E(n.a);
      if (Kind(n.type) == TypeKind::Decimal) return {FromDouble(b_.CreateFNeg(ToDouble(a.v))), a.k};
      return {b_.CreateSub(b_.getInt64(0), a.v), a.k};
    }
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod: {
      CV a = E(n.a), bb = E(n.b);
      Value* k = b_.CreateAnd(a.k, bb.k);
      if (Kind(n.type) == TypeKind::Decimal) {
        Value *x = ToDouble(a.v), *y = ToDouble(bb.v);
        switch (n.op) {
          case Op::Add: return {FromDouble(b_.CreateFAdd(x, y)), k};
          case Op::Sub: return {FromDouble(b_.CreateFSub(x, y)), k};
          case Op::Mul: return {FromDouble(b_.CreateFMul(x, y)), k};
          default: {
            Value* zero = b_.CreateFCmpOEQ(y, llvm::ConstantFP::get(f64_, 0.0));
            return {FromDouble(b_.CreateFDiv(x, y)), b_.CreateAnd(k, b_.CreateNot(zero))};
          }
        }
      }
      switch (n.op) {
        case Op::Add: return {b_.CreateAdd(a.v, bb.v), k};
        case Op::Sub: return {b_.CreateSub(a.v, bb.v), k};
        case Op::Mul: return {b_.CreateMul(a.v, bb.v), k};
        default: {
          Value* bad = b_.CreateOr(b_.CreateICmpEQ(bb.v, b_.getInt64(0)),
                                   b_.CreateAnd(b_.CreateICmpEQ(a.v, b_.getInt64(INT64_MIN)),
                                                b_.CreateICmpEQ(bb.v, b_.getInt64(-1))));
          Value* safe = b_.CreateSelect(bad, b_.getInt64(1), bb.v);
          Value* r = n.op == Op::Div ? b_.CreateSDiv(a.v, safe) : b_.CreateSRem(a.v, safe);
          Value* kk = b_.CreateAnd(k, b_.CreateNot(bad));
          return {b_.CreateSelect(kk, r, b_.getInt64(0)), kk};
        }
      }
    }
    case Op::IntToDec: {
      CV a = E(n.a);
      return {FromDouble(b_.CreateSIToFP(a.v, f64_)), a.k};
    }
    case Op::DateAdd: case Op::DateSub: {
      CV a = E(n.a), d = E(n.b);
      Value* k = b_.CreateAnd(a.k, d.k);
      // A duration without months moves a date by its days alone (cal::AddDuration; minutes
      // do not move a date): an add, and the calendar helper only for months. A constant
      // duration (`as_of - 365 days`) folds to one or the other at compile time.
      Value* months = b_.CreateAShr(d.v, b_.getInt64(48));
      Value* days = b_.CreateSExt(b_.CreateTrunc(b_.CreateLShr(d.v, b_.getInt64(16)), i32_), i64_);
      Value* plain = n.op == Op::DateAdd ? b_.CreateAdd(a.v, days) : b_.CreateSub(a.v, days);
      auto* cm = llvm::dyn_cast<llvm::ConstantInt>(months);
      if (cm && cm->isZero()) return {b_.CreateSelect(k, plain, b_.getInt64(0)), k};
      auto fnc = Helper("conform_rt_date_add");
      int64_t sign = n.op == Op::DateAdd ? 1 : -1;
      if (cm) return Guarded(k, [&] { return b_.CreateCall(fnc, {a.v, d.v, b_.getInt64(sign)}); });
      return Guarded(k, [&] {
        BasicBlock* from = b_.GetInsertBlock();
        BasicBlock* cal = Block("date.months");
        BasicBlock* done = Block("date.done");
        b_.CreateCondBr(b_.CreateICmpEQ(months, b_.getInt64(0)), done, cal);
        b_.SetInsertPoint(cal);
        Value* r = b_.CreateCall(fnc, {a.v, d.v, b_.getInt64(sign)});
        b_.CreateBr(done);
        b_.SetInsertPoint(done);
        llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
        phi->addIncoming(plain, from);
        phi->addIncoming(r, cal);
        return static_cast<Value*>(phi);
      });
    }
    case Op::DateDiff: {
      CV a = E(n.a), d = E(n.b);
      return {b_.CreateSub(a.v, d.v), b_.CreateAnd(a.k, d.k)};
    }
    case Op::DurMul: {
      CV a = E(n.a), m = E(n.b);
      auto fnc = Helper("conform_rt_dur_mul");
      return Guarded(b_.CreateAnd(a.k, m.k), [&] { return b_.CreateCall(fnc, {a.v, m.v}); });
    }
    case Op::DurAdd: case Op::DurSub: {
      CV a = E(n.a), d = E(n.b);
      auto fnc = Helper("conform_rt_dur_add");
      int64_t sign = n.op == Op::DurAdd ? 1 : -1;
      return Guarded(b_.CreateAnd(a.k, d.k), [&] { return b_.CreateCall(fnc, {a.v, d.v, b_.getInt64(sign)}); });
    }
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: {
      if (CV r; CaseEquality(n, r)) return r;
      CV a = E(n.a), bb = E(n.b);
      Value* k = b_.CreateAnd(a.k, bb.k);
      Value* r;
      if (n.aux == 1) {
        Value *x = ToDouble(a.v), *y = ToDouble(bb.v);
        // Same three-way comparison as the interpreter (NaN compares equal to everything there).
        Value* lt = b_.CreateFCmpOLT(x, y);
        Value* gt = b_.CreateFCmpOGT(x, y);
        Value* c = b_.CreateSelect(lt, b_.getInt64(-1), b_.CreateSelect(gt, b_.getInt64(1), b_.getInt64(0)));
        r = c;
      } else if (n.aux == 2) {
        auto fnc = Helper("conform_rt_strcmp");
        r = Guarded(k, [&] { return b_.CreateCall(fnc, {ctx_, a.v, bb.v}); }).v;
      } else if (n.aux == 3) {
        auto fnc = Helper("conform_rt_dur_cmp");
        r = Guarded(k, [&] { return b_.CreateCall(fnc, {a.v, bb.v, as_of_}); }).v;
      } else {
        r = b_.CreateSelect(b_.CreateICmpSLT(a.v, bb.v), b_.getInt64(-1),
                            b_.CreateSelect(b_.CreateICmpSGT(a.v, bb.v), b_.getInt64(1), b_.getInt64(0)));
      }
      Value* zero = b_.getInt64(0);
      Value* res;
      switch (n.op) {
        case Op::Eq: res = b_.CreateICmpEQ(r, zero); break;
        case Op::Ne: res = b_.CreateICmpNE(r, zero); break;
        case Op::Lt: res = b_.CreateICmpSLT(r, zero); break;
        case Op::Le: res = b_.CreateICmpSLE(r, zero); break;
        case Op::Gt: res = b_.CreateICmpSGT(r, zero); break;
        default: res = b_.CreateICmpSGE(r, zero); break;
      }
      return {b_.CreateSelect(k, Bool64(res), b_.getInt64(0)), k};
    }
    case Op::And: case Op::Or: case Op::Implies: {
      // Short-circuit exactly where the interpreter does: and stops on false, or/implies on a
      // deciding left operand.
      CV a = E(n.a);
      Value* decided = n.op == Op::And ? IsFalse(a) : n.op == Op::Or ? IsTrue(a) : IsFalse(a);
      int64_t decided_value = n.op == Op::And ? 0 : 1;
      BasicBlock* from = b_.GetInsertBlock();
      BasicBlock* rhs = Block("logic.rhs");
      BasicBlock* done = Block("logic.done");
      b_.CreateCondBr(decided, done, rhs);
      b_.SetInsertPoint(rhs);
      CV bb = E(n.b);
      Value *v, *k;
      if (n.op == Op::And) {
        Value* bf = IsFalse(bb);
        Value* both = b_.CreateAnd(IsTrue(a), IsTrue(bb));
        k = b_.CreateOr(bf, both);
        v = Bool64(both);
      } else {
        Value* bt = IsTrue(bb);
        // or: a is not true here; implies: a is not false here.
        Value* a_part = n.op == Op::Or ? IsFalse(a) : IsTrue(a);
        Value* b_part = IsFalse(bb);
        Value* both_known = b_.CreateAnd(a_part, b_part);  // result false
        k = b_.CreateOr(bt, both_known);
        v = Bool64(bt);
      }
      return JoinAt(done, from, b_.getInt64(decided_value), True(), {v, k});
    }
    case Op::Not: {
      CV a = E(n.a);
      return {b_.CreateSelect(a.k, b_.CreateXor(a.v, b_.getInt64(1)), b_.getInt64(0)), a.k};
    }
    case Op::In: {
      CV a = E(n.a), s = E(n.b);
      Value* k = b_.CreateAnd(a.k, s.k);
      const Node& sn = p_.nodes[n.b];
      bool all_const = sn.op == Op::SetLit &&
                       std::all_of(sn.args.begin(), sn.args.end(), [&](int32_t x) { return p_.nodes[x].op == Op::Const; });
      if (all_const && sn.args.size() <= 8) {
        Value* any = False();
        for (int32_t x : sn.args) any = b_.CreateOr(any, b_.CreateICmpEQ(a.v, b_.getInt64(p_.nodes[x].imm)));
        return {b_.CreateSelect(k, Bool64(any), b_.getInt64(0)), k};
      }
      // Evidence sets and lists are short: an inline scan (stopping early in a sorted set)
      // beats a call.
      bool sorted = Kind(sn.type) == TypeKind::Set;
      return Guarded(k, [&] {
        Value* seq = b_.CreateIntToPtr(s.v, ptr_);
        Value* size = SeqSize(seq);
        Value* data = SeqData(seq);
        BasicBlock* pre = b_.GetInsertBlock();
        BasicBlock* head = Block("in.head");
        BasicBlock* body = Block("in.body");
        BasicBlock* next = Block("in.next");
        BasicBlock* done = Block("in.done");
        b_.CreateBr(head);
        b_.SetInsertPoint(head);
        llvm::PHINode* i = b_.CreatePHI(i64_, 2);
        i->addIncoming(b_.getInt64(0), pre);
        b_.CreateCondBr(b_.CreateICmpSLT(i, size), body, done);
        b_.SetInsertPoint(body);
        Value* x = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, data, i));
        Value* hit = b_.CreateICmpEQ(x, a.v);
        Value* hit64 = Bool64(hit);
        Value* stop = sorted ? b_.CreateOr(hit, b_.CreateICmpSGT(x, a.v)) : hit;
        b_.CreateCondBr(stop, done, next);
        b_.SetInsertPoint(next);
        Value* i1 = b_.CreateAdd(i, b_.getInt64(1));
        i->addIncoming(i1, next);
        b_.CreateBr(head);
        b_.SetInsertPoint(done);
        llvm::PHINode* r = b_.CreatePHI(i64_, 2);
        r->addIncoming(b_.getInt64(0), head);
        r->addIncoming(hit64, body);
        return static_cast<Value*>(r);
      });
    }
    case Op::Under: {
      CV a = E(n.a), s = E(n.b);
      Value* k = b_.CreateAnd(a.k, s.k);
      if (Kind(p_.nodes[n.b].type) == TypeKind::String) {
        auto fnc = Helper("conform_rt_under");
        return Guarded(k, [&] { return b_.CreateCall(fnc, {ctx_, a.v, s.v}); });
      }
      auto fnc = Helper("conform_rt_under_any");
      return Guarded(k, [&] { return b_.CreateCall(fnc, {ctx_, a.v, b_.CreateIntToPtr(s.v, ptr_)}); });
    }
    case Op::SetLit: {
      bool all_const =
          std::all_of(n.args.begin(), n.args.end(), [&](int32_t x) { return p_.nodes[x].op == Op::Const; });
      if (all_const) return KnownV(b_.CreatePtrToInt(ConstSeq(n), i64_));
      // A set with an unknown member is itself unknown.
      std::vector<CV> elems;
      Value* all_known = True();
      for (int32_t x : n.args) {
        elems.push_back(E(x));
        all_known = b_.CreateAnd(all_known, elems.back().k);
      }
      auto fnew = Helper("conform_rt_buf_new");
      auto fpush = Helper("conform_rt_buf_push");
      auto ffin = Helper("conform_rt_buf_finish");
      return Guarded(all_known, [&] {
        Value* buf = b_.CreateCall(fnew, {ctx_});
        for (const CV& e : elems) b_.CreateCall(fpush, {buf, e.v});
        return b_.CreatePtrToInt(b_.CreateCall(ffin, {buf}), i64_);
      });
    }
    case Op::If: {
      // Only the chosen branch runs, as in the interpreter.
      CV c = E(n.a);
      BasicBlock* from = b_.GetInsertBlock();
      BasicBlock* yes = Block("if.then");
      BasicBlock* no = Block("if.else");
      BasicBlock* done = Block("if.done");
      b_.CreateCondBr(IsTrue(c), yes, no);
      b_.SetInsertPoint(yes);
      CV t = E(n.b);
      BasicBlock* yes_end = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(no);
      // An unknown condition takes this path but yields unknown.
      CV f = E(n.c);
      Value* fk = b_.CreateAnd(f.k, c.k);
      BasicBlock* no_end = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode* pv = b_.CreatePHI(i64_, 2);
      llvm::PHINode* pk = b_.CreatePHI(i1_, 2);
      pv->addIncoming(t.v, yes_end);
      pk->addIncoming(t.k, yes_end);
      pv->addIncoming(f.v, no_end);
      pk->addIncoming(fk, no_end);
      (void)from;
      return {b_.CreateSelect(pk, pv, b_.getInt64(0)), pk};
    }
    case Op::Exists: case Op::All: case Op::None: return Quantifier(n, nullptr);
    case Op::Filter: return Filter(n);
    case Op::SetUnion: case Op::SetInter: case Op::SetDiff: {
      CV a = E(n.a), s = E(n.b);
      int64_t op = n.op == Op::SetUnion ? 0 : n.op == Op::SetInter ? 1 : 2;
      int64_t as = Kind(p_.nodes[n.a].type) == TypeKind::Set, bs = Kind(p_.nodes[n.b].type) == TypeKind::Set;
      auto fnc = Helper("conform_rt_set_op");
      return Guarded(b_.CreateAnd(a.k, s.k), [&] {
        Value* r = b_.CreateCall(fnc, {ctx_, b_.CreateIntToPtr(a.v, ptr_), b_.getInt64(as), b_.CreateIntToPtr(s.v, ptr_),
                                       b_.getInt64(bs), b_.getInt64(op)});
        return b_.CreatePtrToInt(r, i64_);
      });
    }
    case Op::SetRel: {
      CV a = E(n.a), s = E(n.b);
      int64_t as = Kind(p_.nodes[n.a].type) == TypeKind::Set, bs = Kind(p_.nodes[n.b].type) == TypeKind::Set;
      auto fnc = Helper("conform_rt_set_rel");
      return Guarded(b_.CreateAnd(a.k, s.k), [&] {
        return b_.CreateCall(fnc, {b_.CreateIntToPtr(a.v, ptr_), b_.getInt64(as), b_.CreateIntToPtr(s.v, ptr_), b_.getInt64(bs),
                                   b_.getInt64(n.aux)});
      });
    }
    case Op::Count: case Op::Sum: case Op::Min: case Op::Max: case Op::Avg: case Op::Distinct: case Op::Union:
      return Collection(n);
    case Op::Call: {
      const std::string& symbol = p_.builtins.at(static_cast<size_t>(n.imm));  // a helper's null policy is Propagate
      std::vector<CV> args;
      Value* k = True();
      for (int32_t a : n.args) {
        args.push_back(E(a));
        k = b_.CreateAnd(k, args.back().k);
      }
      llvm::AllocaInst* arr = Slot(llvm::ArrayType::get(i64_, std::max<size_t>(args.size(), 1)), "args");
      auto fnc = Helper(symbol.c_str());
      return Guarded(k, [&] {
        for (size_t i = 0; i < args.size(); ++i)
          b_.CreateStore(args[i].v, b_.CreateConstInBoundsGEP2_64(arr->getAllocatedType(), arr, 0, i));
        return b_.CreateCall(fnc, {ctx_, arr});
      });
    }
  }
  return Unknown();
}

// exists / all / none: Kleene fold with early exit; records the deciding element's index.
CV Gen::Quantifier(const Node& n, Value* witness_out) {
  CV list = E(n.a);
  llvm::AllocaInst* res_v = Slot(i64_, "q.v");
  llvm::AllocaInst* res_k = Slot(i1_, "q.k");
  llvm::AllocaInst* any_unknown = Slot(i1_, "q.unk");
  llvm::AllocaInst* first_unknown = Slot(i64_, "q.first_unk");
  llvm::AllocaInst* decided_at = Slot(i64_, "q.at");
  llvm::AllocaInst* i_slot = Slot(i64_, "q.i");
  b_.CreateStore(b_.getInt64(0), res_v);
  b_.CreateStore(False(), res_k);
  b_.CreateStore(False(), any_unknown);
  b_.CreateStore(b_.getInt64(-1), first_unknown);
  b_.CreateStore(b_.getInt64(-1), decided_at);
  BasicBlock* pre = Block("q.pre");
  BasicBlock* head = Block("q.head");
  BasicBlock* body = Block("q.body");
  BasicBlock* next = Block("q.next");
  BasicBlock* decided = Block("q.decided");
  BasicBlock* finish = Block("q.finish");
  BasicBlock* done = Block("q.done");
  b_.CreateCondBr(list.k, pre, done);  // unknown list: result stays unknown
  // A join, except for a requirement's top-level all/none, whose witness is a list index.
  const ir::Join* join = witness_out ? nullptr : joins_.For(static_cast<int32_t>(&n - p_.nodes.data()));
  b_.SetInsertPoint(pre);
  CV src = JoinSource(n, join, list);
  pre = b_.GetInsertBlock();
  CV saved;
  Value* i = OpenLoop(n, src, i_slot, pre, head, body, next, finish, saved, "q.filtered", join);
  CV v = E(n.c);
  vars_[n.var] = saved;
  // unknown element: remember, go on; deciding element: exit.
  Value* is_decider = n.op == Op::Exists || n.op == Op::None ? IsTrue(v) : IsFalse(v);
  BasicBlock* not_decider = Block("q.not_decider");
  b_.CreateCondBr(is_decider, decided, not_decider);
  b_.SetInsertPoint(not_decider);
  Value* unk = b_.CreateNot(v.k);
  Value* had = b_.CreateLoad(i1_, any_unknown);
  Value* fu = b_.CreateLoad(i64_, first_unknown);
  b_.CreateStore(b_.CreateSelect(b_.CreateAnd(unk, b_.CreateNot(had)), i, fu), first_unknown);
  b_.CreateStore(b_.CreateOr(had, unk), any_unknown);
  b_.CreateBr(next);
  b_.SetInsertPoint(next);
  b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), i_slot);
  b_.CreateBr(head);
  // Decided early: exists → true, all → false, none → false.
  b_.SetInsertPoint(decided);
  b_.CreateStore(b_.getInt64(n.op == Op::Exists ? 1 : 0), res_v);
  b_.CreateStore(True(), res_k);
  b_.CreateStore(i, decided_at);
  b_.CreateBr(done);
  // Ran through: unknown if any element was unknown, else exists → false, all/none → true.
  b_.SetInsertPoint(finish);
  Value* au = b_.CreateLoad(i1_, any_unknown);
  b_.CreateStore(b_.CreateSelect(au, b_.getInt64(0), b_.getInt64(n.op == Op::Exists ? 0 : 1)), res_v);
  b_.CreateStore(b_.CreateNot(au), res_k);
  b_.CreateStore(b_.CreateLoad(i64_, first_unknown), decided_at);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  if (witness_out) {
    // all/none: the first failing element, else the first unknown one (as the interpreter).
    b_.CreateStore(b_.CreateLoad(i64_, decided_at), witness_out);
  }
  return {b_.CreateLoad(i64_, res_v), b_.CreateLoad(i1_, res_k)};
}

// count / sum / min / max / avg / distinct / union.
CV Gen::Collection(const Node& n, int64_t*) {
  CV list = E(n.a);
  const ir::Join* join = joins_.For(static_cast<int32_t>(&n - p_.nodes.data()));
  if (n.op == Op::Count && n.b < 0) {
    return Guarded(list.k, [&] {
      return SeqSize(b_.CreateIntToPtr(list.v, ptr_));
    });
  }
  const bool dec = Kind(n.type) == TypeKind::Decimal;
  const bool vdec = n.c >= 0 && Kind(p_.nodes[n.c].type) == TypeKind::Decimal;
  llvm::AllocaInst* count = Slot(i64_, "c.count");
  llvm::AllocaInst* isum = Slot(i64_, "c.isum");
  llvm::AllocaInst* dsum = Slot(f64_, "c.dsum");
  llvm::AllocaInst* have = Slot(i1_, "c.have");
  llvm::AllocaInst* best = Slot(i64_, "c.best");
  llvm::AllocaInst* buf = Slot(ptr_, "c.buf");
  llvm::AllocaInst* i_slot = Slot(i64_, "c.i");
  b_.CreateStore(b_.getInt64(0), count);
  b_.CreateStore(b_.getInt64(0), isum);
  b_.CreateStore(llvm::ConstantFP::get(f64_, 0.0), dsum);
  b_.CreateStore(False(), have);
  b_.CreateStore(b_.getInt64(0), best);
  BasicBlock* pre = Block("c.pre");
  BasicBlock* head = Block("c.head");
  BasicBlock* body = Block("c.body");
  BasicBlock* next = Block("c.next");
  BasicBlock* finish = Block("c.finish");
  BasicBlock* done = Block("c.done");
  BasicBlock* start = b_.GetInsertBlock();
  b_.CreateCondBr(list.k, pre, done);
  b_.SetInsertPoint(pre);
  if (n.op == Op::Distinct || n.op == Op::Union)
    b_.CreateStore(b_.CreateCall(Helper("conform_rt_buf_new"), {ctx_}), buf);
  CV src = JoinSource(n, join, list);
  CV saved;
  Value* i = OpenLoop(n, src, i_slot, b_.GetInsertBlock(), head, body, next, finish, saved, "c.filtered", join);
  if (n.op == Op::Count) {
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, count), b_.getInt64(1)), count);
    b_.CreateBr(next);
  } else {
    CV v = E(n.c);
    BasicBlock* known = Block("c.known");
    b_.CreateCondBr(v.k, known, next);  // unknown values are skipped
    b_.SetInsertPoint(known);
    switch (n.op) {
      case Op::Sum: case Op::Avg:
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, count), b_.getInt64(1)), count);
        if (vdec)
          b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f64_, dsum), ToDouble(v.v)), dsum);
        else if (n.op == Op::Avg)
          b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f64_, dsum), b_.CreateSIToFP(v.v, f64_)), dsum);
        else
          b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, isum), v.v), isum);
        break;
      case Op::Min: case Op::Max: {
        Value* cur = b_.CreateLoad(i64_, best);
        Value* better;
        if (dec) {
          better = n.op == Op::Min ? b_.CreateFCmpOLT(ToDouble(v.v), ToDouble(cur)) : b_.CreateFCmpOGT(ToDouble(v.v), ToDouble(cur));
        } else if (Kind(n.type) == TypeKind::Duration) {
          Value* c = b_.CreateCall(Helper("conform_rt_dur_cmp"), {v.v, cur, as_of_});
          better = n.op == Op::Min ? b_.CreateICmpSLT(c, b_.getInt64(0)) : b_.CreateICmpSGT(c, b_.getInt64(0));
        } else
          better = n.op == Op::Min ? b_.CreateICmpSLT(v.v, cur) : b_.CreateICmpSGT(v.v, cur);
        Value* take = b_.CreateOr(b_.CreateNot(b_.CreateLoad(i1_, have)), better);
        b_.CreateStore(b_.CreateSelect(take, v.v, cur), best);
        b_.CreateStore(True(), have);
        break;
      }
      case Op::Distinct:
        b_.CreateCall(Helper("conform_rt_buf_push"), {b_.CreateLoad(ptr_, buf), v.v});
        break;
      case Op::Union:
        b_.CreateCall(Helper("conform_rt_buf_push_seq"),
                      {b_.CreateLoad(ptr_, buf), b_.CreateIntToPtr(v.v, ptr_)});
        break;
      default: break;
    }
    b_.CreateBr(next);
  }
  vars_[n.var] = saved;
  b_.SetInsertPoint(next);
  b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), i_slot);
  b_.CreateBr(head);
  b_.SetInsertPoint(finish);
  Value* rv;
  Value* rk = True();
  switch (n.op) {
    case Op::Count: rv = b_.CreateLoad(i64_, count); break;
    case Op::Sum: rv = dec ? FromDouble(b_.CreateLoad(f64_, dsum)) : b_.CreateLoad(i64_, isum); break;
    case Op::Avg: {
      Value* c = b_.CreateLoad(i64_, count);
      rk = b_.CreateICmpNE(c, b_.getInt64(0));
      rv = FromDouble(b_.CreateFDiv(b_.CreateLoad(f64_, dsum), b_.CreateSIToFP(c, f64_)));
      break;
    }
    case Op::Min: case Op::Max:
      rk = b_.CreateLoad(i1_, have);
      rv = b_.CreateLoad(i64_, best);
      break;
    default:
      rv = b_.CreatePtrToInt(b_.CreateCall(Helper("conform_rt_buf_finish"), {b_.CreateLoad(ptr_, buf)}), i64_);
      break;
  }
  return JoinAt(done, start, b_.getInt64(0), False(), {rv, rk});
}

Function* Gen::BuildRequirement(size_t ri, bool exported) {
  const ir::Requirement& r = p_.requirements[ri];
  auto* fty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_, ptr_}, false);
  Function* f = Function::Create(fty, exported ? Function::ExternalLinkage : Function::InternalLinkage,
                                 RequirementFunction(ri), m_);
  f->addParamAttr(4, llvm::Attribute::NoAlias);
  // Large rule sets are optimised one requirement at a time: inlining ~200 requirements into
  // the entry makes O2 superlinear for little run-time gain (one call per requirement).
  if (!inline_requirements_) f->addFnAttr(llvm::Attribute::NoInline);
  Begin(f);
  Value* witness_out = f->getArg(4);
  // Only requirements whose pass is a top-level all/none have a witness (the host reads no other).
  if (r.witness_var >= 0) b_.CreateStore(b_.getInt64(-1), witness_out);
  auto ret = [&](VerdictCode code) { b_.CreateRet(Code(code)); };
  BindLets(r);
  if (r.applies >= 0) {
    CV a = E(r.applies);
    BasicBlock* unknown = Block("applies.unknown");
    BasicBlock* known = Block("applies.known");
    BasicBlock* na = Block("applies.false");
    BasicBlock* go = Block("applies.true");
    b_.CreateCondBr(a.k, known, unknown);
    b_.SetInsertPoint(unknown);
    ret(VerdictCode::AppliesUnknown);
    b_.SetInsertPoint(known);
    b_.CreateCondBr(b_.CreateICmpNE(a.v, b_.getInt64(0)), go, na);
    b_.SetInsertPoint(na);
    ret(VerdictCode::NotApplicable);
    b_.SetInsertPoint(go);
  }
  if (r.pass < 0) {
    ret(VerdictCode::NotEvidenced);
    return f;
  }
  const Node& pn = p_.nodes[r.pass];
  CV v = (pn.op == Op::All || pn.op == Op::None) ? Quantifier(pn, witness_out) : E(r.pass);
  Value* code = b_.CreateSelect(
      v.k, b_.CreateSelect(b_.CreateICmpNE(v.v, b_.getInt64(0)), Code(VerdictCode::Conform), Code(VerdictCode::Nonconform)),
      Code(VerdictCode::NotEvidenced));
  b_.CreateRet(code);
  return f;
}

void Gen::BuildMessage(size_t ri) {
  const ir::Requirement& r = p_.requirements[ri];
  auto* fty = llvm::FunctionType::get(void_, {ptr_, ptr_, ptr_, i64_, i64_, ptr_, ptr_}, false);
  Function* f = Function::Create(fty, Function::ExternalLinkage, MessageFunction(ri), m_);
  Cold(f);
  Begin(f);
  Value* witness = f->getArg(4);
  Value* out_v = f->getArg(5);
  Value* out_k = f->getArg(6);
  BindLets(r);
  if (r.witness_var >= 0) {
    // Bind the witness variable to element `witness` of the top-level quantifier's list.
    const Node& q = p_.nodes[r.pass];
    CV list = E(q.a);
    Value* seq = b_.CreateSelect(list.k, b_.CreateIntToPtr(list.v, ptr_), zero_record_);
    Value* size = SeqSize(seq);
    Value* ok = b_.CreateAnd(list.k, b_.CreateAnd(b_.CreateICmpSGE(witness, b_.getInt64(0)), b_.CreateICmpSLT(witness, size)));
    CV elem = Guarded(ok, [&] {
      return b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, SeqData(seq), witness));
    });
    vars_[r.witness_var] = elem;
  }
  size_t slot = 0;
  for (const auto& piece : r.message) {
    if (piece.expr < 0) continue;
    CV v = E(piece.expr);
    b_.CreateStore(v.v, b_.CreateInBoundsGEP(i64_, out_v, b_.getInt64(slot)));
    b_.CreateStore(b_.CreateZExt(v.k, i8_), b_.CreateInBoundsGEP(i8_, out_k, b_.getInt64(slot)));
    ++slot;
  }
  b_.CreateRetVoid();
}

// [x in L where f]: the kept elements, in order.
CV Gen::Filter(const Node& n) {
  CV list = E(n.a);
  llvm::AllocaInst* buf = Slot(ptr_, "f.buf");
  llvm::AllocaInst* i_slot = Slot(i64_, "f.i");
  BasicBlock* start = b_.GetInsertBlock();
  BasicBlock* pre = Block("f.pre");
  BasicBlock* head = Block("f.head");
  BasicBlock* body = Block("f.body");
  BasicBlock* next = Block("f.next");
  BasicBlock* finish = Block("f.finish");
  BasicBlock* done = Block("f.done");
  b_.CreateCondBr(list.k, pre, done);
  b_.SetInsertPoint(pre);
  b_.CreateStore(b_.CreateCall(Helper("conform_rt_buf_new"), {ctx_}), buf);
  CV saved;
  Value* i = OpenLoop(n, list, i_slot, b_.GetInsertBlock(), head, body, next, finish, saved, "f.kept");
  b_.CreateCall(Helper("conform_rt_buf_push"), {b_.CreateLoad(ptr_, buf), vars_[n.var].v});
  b_.CreateBr(next);
  vars_[n.var] = saved;
  b_.SetInsertPoint(next);
  b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), i_slot);
  b_.CreateBr(head);
  b_.SetInsertPoint(finish);
  Value* rv = b_.CreatePtrToInt(b_.CreateCall(Helper("conform_rt_buf_finish_list"), {b_.CreateLoad(ptr_, buf)}), i64_);
  return JoinAt(done, start, b_.getInt64(0), False(), {rv, True()});
}

// The failing elements of a top-level all/none (body false / true; unknown ones are not
// failures), for `{each …}` holes: returns how many, writes the first `cap` indices and the
// quantifier's list (0 if unknown), so that the host can order the elements of a set by value.
void Gen::BuildFailing(size_t ri) {
  const ir::Requirement& r = p_.requirements[ri];
  auto* fty = llvm::FunctionType::get(i64_, {ptr_, ptr_, ptr_, i64_, ptr_, i64_, ptr_}, false);
  Function* f = Function::Create(fty, Function::ExternalLinkage, FailingFunction(ri), m_);
  Cold(f);
  Begin(f);
  Value* out = f->getArg(4);
  Value* cap = f->getArg(5);
  BindLets(r);
  const Node& q = p_.nodes[r.pass];
  CV list = E(q.a);
  b_.CreateStore(b_.CreateSelect(list.k, list.v, b_.getInt64(0)), f->getArg(6));
  llvm::AllocaInst* total = Slot(i64_, "fail.total");
  llvm::AllocaInst* i_slot = Slot(i64_, "fail.i");
  b_.CreateStore(b_.getInt64(0), total);
  BasicBlock* pre = Block("fail.pre");
  BasicBlock* head = Block("fail.head");
  BasicBlock* body = Block("fail.body");
  BasicBlock* next = Block("fail.next");
  BasicBlock* finish = Block("fail.finish");
  BasicBlock* done = Block("fail.done");
  b_.CreateCondBr(list.k, pre, done);
  CV saved;
  Value* i = OpenLoop(q, list, i_slot, pre, head, body, next, finish, saved, "fail.kept");
  CV v = E(q.c);
  vars_[q.var] = saved;
  Value* fails = q.op == Op::All ? IsFalse(v) : IsTrue(v);
  BasicBlock* record = Block("fail.record");
  BasicBlock* store = Block("fail.store");
  BasicBlock* count = Block("fail.count");
  b_.CreateCondBr(fails, record, next);
  b_.SetInsertPoint(record);
  Value* t = b_.CreateLoad(i64_, total);
  b_.CreateCondBr(b_.CreateICmpSLT(t, cap), store, count);
  b_.SetInsertPoint(store);
  b_.CreateStore(i, b_.CreateInBoundsGEP(i64_, out, t));
  b_.CreateBr(count);
  b_.SetInsertPoint(count);
  b_.CreateStore(b_.CreateAdd(t, b_.getInt64(1)), total);
  b_.CreateBr(next);
  b_.SetInsertPoint(next);
  b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), i_slot);
  b_.CreateBr(head);
  b_.SetInsertPoint(finish);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  b_.CreateRet(b_.CreateLoad(i64_, total));
}

void Gen::BuildExclusions() {
  auto* fty = llvm::FunctionType::get(void_, {ptr_, ptr_, ptr_, i64_, ptr_, ptr_}, false);
  Function* f = Function::Create(fty, Function::ExternalLinkage, kExclusions, m_);
  Cold(f);
  Begin(f);
  CV v = p_.exclusions >= 0 ? E(p_.exclusions) : Unknown();
  b_.CreateStore(v.v, f->getArg(4));
  b_.CreateStore(b_.CreateZExt(v.k, i8_), f->getArg(5));
  b_.CreateRetVoid();
}

}  // namespace

std::unique_ptr<llvm::Module> BuildModule(const ir::Program& p, llvm::LLVMContext& ctx) {
  auto m = std::make_unique<llvm::Module>(fmt::format("conform.{}", p.standard), ctx);
  Gen g(p, ctx, *m);
  g.Build(Part{}, true);
  return m;
}

std::unique_ptr<llvm::Module> BuildPart(const ir::Program& p, llvm::LLVMContext& ctx, const Part& part) {
  auto m = std::make_unique<llvm::Module>(
      part.entry ? fmt::format("conform.{}.entry", p.standard) : fmt::format("conform.{}.{}-{}", p.standard, part.begin, part.end),
      ctx);
  Gen g(p, ctx, *m);
  g.Build(part, false);
  return m;
}

void Optimize(llvm::Module& m, llvm::TargetMachine* tm, int level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel ol = level >= 3 ? llvm::OptimizationLevel::O3
                               : level == 2 ? llvm::OptimizationLevel::O2
                               : level == 1 ? llvm::OptimizationLevel::O1
                                            : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager mpm = level == 0 ? pb.buildO0DefaultPipeline(ol) : pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

}  // namespace conform::codegen
