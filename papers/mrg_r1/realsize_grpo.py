"""Real-size GRPO step on one GPU, no download: a randomly initialised model with the Qwen2.5-VL-7B (or 3B) architecture,
LoRA rank 128 (MRG-R1 preset), bf16, G = 4, the MRG-R1 reward, a few GRPO steps on IU-Phantom. Prints step time,
rollout tokens/s and peak GPU memory as JSON (and writes it to --out). `--vllm` generates with vLLM colocated (needs
vllm installed and the model on disk, which this script writes first). `--size debug` runs the same code on a CPU with a
tiny architecture, to check the script itself.

    python papers/mrg_r1/realsize_grpo.py --size 7b --steps 5 --out runs/realsize_7b.json
    python papers/mrg_r1/realsize_grpo.py --size 7b --steps 5 --vllm --out runs/realsize_7b_vllm.json
    python papers/mrg_r1/realsize_grpo.py --size debug --steps 2            # CPU check of the script
"""
import argparse, importlib.util, json, sys, time, tempfile
from pathlib import Path
import torch

# Architecture facts of the released Qwen2.5-VL configs (config.json of Qwen/Qwen2.5-VL-7B-Instruct and -3B-Instruct).
ARCH = {
    "7b": dict(text=dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4),
               mrope=[16, 24, 24], vision_out=3584),
    "3b": dict(text=dict(hidden_size=2048, intermediate_size=11008, num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=2),
               mrope=[16, 24, 24], vision_out=2048),
    "debug": dict(text=dict(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2),
                  mrope=[4, 6, 6], vision_out=128, vision=dict(depth=2, hidden_size=64, intermediate_size=128, num_heads=2,
                                                                window_size=56, fullatt_block_indexes=[1])),
}
VISION_7B = dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, window_size=112, fullatt_block_indexes=[7, 15, 23, 31])

def build(size, tok):
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration
    a = ARCH[size]; vis = a.get("vision", VISION_7B); tid = tok.convert_tokens_to_ids
    cfg = Qwen2_5_VLConfig(
        text_config=dict(**a["text"], vocab_size=152064 if size != "debug" else len(tok), max_position_embeddings=32768,
                         rope_scaling={"type": "mrope", "mrope_section": a["mrope"]}, rope_theta=1e6,
                         bos_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id),
        vision_config=dict(**vis, out_hidden_size=a["vision_out"], patch_size=14, spatial_merge_size=2, temporal_patch_size=2, in_channels=3),
        image_token_id=tid("<|image_pad|>"), video_token_id=tid("<|video_pad|>"),
        vision_start_token_id=tid("<|vision_start|>"), vision_end_token_id=tid("<|vision_end|>"))
    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        m = Qwen2_5_VLForConditionalGeneration(cfg).to(dtype)
    g = m.generation_config; g.eos_token_id, g.pad_token_id, g.bos_token_id = tok.eos_token_id, tok.pad_token_id, tok.pad_token_id
    return m

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(ARCH), default="7b"); ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--vllm", action="store_true"); ap.add_argument("--image-size", type=int, default=448)
    ap.add_argument("--max-completion-length", type=int, default=256); ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.vllm and importlib.util.find_spec("vllm") is None:
        sys.exit("realsize_grpo.py --vllm: vllm is not installed in this environment (pip install vllm on the GPU machine), "
                 "or run without --vllm for the transformers generation path")
    from rrg_nb.core import save_json
    from rrg_nb.runs import load_studies
    from rrg_nb.model import train_tokenizer, make_processor, apply_lora, n_params, save_policy
    from rrg_nb.prompts import grpo_rows
    from rrg_nb.train import grpo_config, train_grpo
    studies = [s for s in load_studies("iu_phantom") if s.split == "train" and s.report and s.image_paths][:64]
    tok = train_tokenizer([s.report for s in studies], 4000)
    proc = make_processor(tok, a.image_size if a.size != "debug" else 112)
    t0 = time.perf_counter(); model = build(a.size, tok); t_build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        if a.vllm: model.config._name_or_path = str(save_policy(model, proc, Path(d) / "model"))  # vLLM loads weights from disk
        model = apply_lora(model, "mrg_r1")
        rows = grpo_rows(studies, "mrg_r1", image_size=a.image_size if a.size != "debug" else 112)
        cfg = grpo_config(Path(d) / "run", steps=a.steps, lr=5e-6, num_generations=4, batch_size=4, beta=0.04,
                          max_completion_length=a.max_completion_length if a.size != "debug" else 16, save_steps=10**6,
                          use_vllm=a.vllm, vllm_mode="colocate")
        cfg.save_strategy = "no"
        if torch.cuda.is_available(): torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter(); tr = train_grpo(model, proc, rows, cfg, reward="mrg_r1"); wall = time.perf_counter() - t0
    logs = [h for h in tr.state.log_history if "completions/mean_length" in h]
    toks = sum(h["completions/mean_length"] * 4 for h in logs)  # 4 completions per step on one device
    res = {"size": a.size, "params_total": n_params(tr.model), "params_trainable": n_params(tr.model, True), "build_s": round(t_build, 1),
           "steps": a.steps, "step_s": round(wall / a.steps, 2), "completion_tokens_per_s_of_step_time": round(toks / wall, 1), "vllm": a.vllm,
           "peak_gpu_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2) if torch.cuda.is_available() else None,
           "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"}
    print(json.dumps(res, indent=1))
    if a.out: save_json(res, a.out, indent=1)

if __name__ == "__main__":
    main()
