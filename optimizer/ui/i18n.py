"""Every label the app shows, in Vietnamese (default) and English, from one table.

`translate(key, lang, **values)` fills `{placeholders}`; an unknown key is an error (a test
checks that every key the app uses is here, with both languages). Solver progress messages,
which the planner writes in English, are put into the page's language by `progress_text`.
"""

from __future__ import annotations

import re

LANGUAGES = ("vi", "en")

TEXT: dict[str, dict[str, str]] = {
    # page and sidebar
    "app_title": {"vi": "Kế hoạch cao điểm cấp Căn cước công dân", "en": "Peak chip-ID (CCCD) enrollment plan"},
    "english": {"vi": "English", "en": "English"},
    "scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "scenario_source": {"vi": "Nguồn kịch bản", "en": "Scenario from"},
    "source_bundled": {"vi": "Có sẵn", "en": "Bundled"},
    "source_upload": {"vi": "Tải lên", "en": "Upload"},
    "bundled_scenario": {"vi": "Kịch bản có sẵn", "en": "Bundled scenario"},
    "bundled_help": {"vi": "Thư mục trong scenarios/ có campaign.toml. Tệp tải lên thay bảng của kịch bản này.",
                     "en": "A folder under scenarios/ with campaign.toml. Uploaded tables replace this one's."},
    "upload_zip": {"vi": "Kịch bản nén (.zip của thư mục kịch bản)", "en": "Zipped scenario folder (.zip)"},
    "upload_wards": {"vi": "Bảng phường/xã (wards, CSV hoặc XLSX)", "en": "Wards table (CSV or XLSX)"},
    "upload_officers": {"vi": "Bảng cán bộ (officers, CSV hoặc XLSX)", "en": "Officers table (CSV or XLSX)"},
    "upload_limit": {"vi": "Mỗi tệp tối đa {mb} MB.", "en": "At most {mb} MB per file."},
    "upload_hint": {"vi": "Chưa có tệp tải lên: đang dùng kịch bản có sẵn.",
                    "en": "Nothing uploaded yet: showing the bundled scenario."},
    "upload_ok": {"vi": "Đã đọc kịch bản: {name}", "en": "Scenario read: {name}"},
    "upload_mapping": {"vi": "({table} ở đây là tệp {file} bạn tải lên; số dòng tính cả dòng tiêu đề.)",
                       "en": "({table} here is your file {file}; row numbers count the header row.)"},
    "note_requests_dropped": {"vi": "Danh sách cán bộ đã thay nên bỏ qua requests.csv (nguyện vọng ca trực) của kịch bản gốc.",
                              "en": "The officer list changed, so the scenario's requests.csv (shift wishes) is left out."},
    "invalid_input": {"vi": "Dữ liệu kịch bản không hợp lệ — sửa tệp rồi tải lại:",
                      "en": "The scenario has a problem — fix the file and upload it again:"},
    "upload_too_big": {"vi": "Tệp {file} nặng {size_mb} MB, vượt giới hạn {limit_mb} MB. Vui lòng tải tệp nhỏ hơn.",
                       "en": "{file} is {size_mb} MB, over the {limit_mb} MB limit. Please upload a smaller file."},
    "upload_not_zip": {"vi": "Tệp {file} không phải tệp nén .zip.", "en": "{file} is not a zip archive."},
    "upload_unsafe_path": {"vi": "Tệp {file} chứa đường dẫn không an toàn ({member}); không giải nén.",
                           "en": "{file} holds an unsafe path ({member}); nothing was unpacked."},
    "upload_too_many_files": {"vi": "Tệp {file} có hơn {limit} tệp bên trong.",
                              "en": "{file} holds more than {limit} files."},
    "upload_too_large_unzipped": {"vi": "Tệp {file} giải nén ra hơn {limit_mb} MB.",
                                  "en": "{file} unpacks to more than {limit_mb} MB."},
    "upload_no_campaign": {"vi": "Tệp {file} không có campaign.toml.", "en": "{file} has no campaign.toml."},
    "upload_bad_table_type": {"vi": "Tệp {file} phải là .csv hoặc .xlsx.", "en": "{file} must be a .csv or .xlsx file."},
    "upload_too_many_cells": {"vi": "Trang tính đầu của tệp {file} có hơn {limit} ô.",
                              "en": "The first sheet of {file} has more than {limit} cells."},
    "upload_bad_xlsx": {"vi": "Không đọc được tệp Excel {file}.", "en": "{file} is not a readable Excel workbook."},
    "upload_no_base": {"vi": "Hãy tải kịch bản nén hoặc chọn kịch bản có sẵn.",
                       "en": "Upload a zipped scenario or choose a bundled one."},
    "display": {"vi": "Hiển thị", "en": "Display"},
    "show_band": {"vi": "Vùng bất định (P10–P90)", "en": "Uncertainty band (P10–P90)"},
    "band_runs_label": {"vi": "Số lần mô phỏng ngẫu nhiên", "en": "Random simulations"},
    "scenario_caption": {
        "vi": "{name} · {districts} quận/huyện · {wards} phường/xã · {days} ngày ({start} – {end}) · "
              "cần thu nhận {target} người · {officers} cán bộ",
        "en": "{name} · {districts} districts · {wards} wards · {days} days ({start} – {end}) · "
              "{target} people to enroll · {officers} officers"},
    "first_solve": {"vi": "Đang lập kế hoạch lần đầu cho kịch bản này; kết quả sẽ hiện ở đây.",
                    "en": "Planning this scenario for the first time; the result will appear here."},
    "capacity_title": {"vi": "Năng lực hiện có (trước khi lập kế hoạch)", "en": "Capacity at hand (before any plan)"},
    "fixed_kits_total": {"vi": "Máy cố định", "en": "Fixed kits"},
    "city_mobile_kits": {"vi": "Máy dự phòng của thành phố", "en": "City reserve kits"},
    "people_per_kit": {"vi": "Người cần thu nhận mỗi máy", "en": "People to enroll per kit"},
    "expected_walk_ins": {"vi": "Người dân dự kiến tự đến mỗi ngày", "en": "Walk-ins expected each day"},
    "dl_wards": {"vi": "Bảng phường/xã của kịch bản (wards.csv)", "en": "The scenario's wards table (wards.csv)"},
    "base_run": {"vi": "Kế hoạch gốc · {source}", "en": "Base plan · {source}"},
    "computed_at": {"vi": "Lập lúc {time}", "en": "Computed at {time}"},
    "kept_at": {"vi": "Kế hoạch đã lưu, lập lúc {time} (cùng dữ liệu đầu vào, tham số và phiên bản)",
                "en": "Kept plan, computed at {time} (same inputs, parameters and version)"},
    "run_shown": {"vi": "Phương án đang xem", "en": "Run shown"},
    "run_description": {"vi": "Kịch bản {source}; thay đổi: {changes}", "en": "Scenario {source}; changes: {changes}"},
    "no_changes": {"vi": "không", "en": "none"},
    "uploaded_source": {"vi": "tải lên ({files})", "en": "uploaded ({files})"},
    # running
    "running": {"vi": "Đang lập kế hoạch: {name}", "en": "Planning: {name}"},
    "starting": {"vi": "Đang chuẩn bị…", "en": "Starting…"},
    "elapsed": {"vi": "Đã chạy {seconds}", "en": "Running for {seconds}"},
    "stop": {"vi": "Dừng và giữ kế hoạch tốt nhất hiện có", "en": "Stop and keep the best plan so far"},
    "stopping": {"vi": "Đang dừng…", "en": "Stopping…"},
    "stop_help": {"vi": "Các quận/huyện chưa giải giữ kế hoạch bảng tính.",
                  "en": "Districts not yet solved keep the spreadsheet baseline."},
    "stopped_notice": {"vi": "Đã dừng sớm '{name}': các quận/huyện chưa giải giữ kế hoạch bảng tính.",
                       "en": "'{name}' stopped early: districts not yet solved keep the spreadsheet baseline."},
    "stopped_early_note": {"vi": "Phương án này dừng sớm: một số quận/huyện giữ kế hoạch bảng tính, không có cận trên.",
                           "en": "This run stopped early: some districts keep the spreadsheet baseline; no bound."},
    "busy": {"vi": "Đang có một kế hoạch chạy; chờ xong hoặc bấm Dừng.",
             "en": "A plan is already running; wait for it or press Stop."},
    "job_input_error": {"vi": "Dữ liệu không hợp lệ: {error}", "en": "Bad input: {error}"},
    "job_failed": {"vi": "Không lập được kế hoạch: {error}", "en": "Planning failed: {error}"},
    "progress_start": {"vi": "{districts} quận/huyện, {wards} phường/xã", "en": "{districts} districts, {wards} wards"},
    "progress_district": {"vi": "Đã giải {name}: {status}{gap}", "en": "Solved {name}: {status}{gap}"},
    "progress_gap": {"vi": ", khoảng cách {gap}", "en": ", gap {gap}"},
    "progress_reserve": {"vi": "Dự trữ thành phố: máy {unit}/{total} cho {name} (+{gain} người)",
                         "en": "City reserve: kit {unit}/{total} to {name} (+{gain} people)"},
    "progress_reserve_short": {"vi": "Dự trữ thành phố không đủ: phân từng máy",
                               "en": "The city reserve is short: lending it kit by kit"},
    "status_optimal": {"vi": "tối ưu", "en": "optimal"},
    "status_feasible": {"vi": "khả thi", "en": "feasible"},
    "status_infeasible": {"vi": "không khả thi", "en": "infeasible"},
    "status_no_solution": {"vi": "chưa có lời giải", "en": "no solution"},
    "status_error": {"vi": "lỗi", "en": "error"},
    "status_no_solution_in_time": {"vi": "hết giờ, chưa có lịch", "en": "no roster in time"},
    "progress_roster": {"vi": "Đã lập lịch trực {name}: {status}", "en": "Rostered {name}: {status}"},
    "progress_restaff": {"vi": "Lập lại kế hoạch cho {n} quận/huyện theo số cán bộ xếp được",
                         "en": "Re-planning {n} district(s) with the staffing the roster found"},
    # what-if form
    "whatif_title": {"vi": "Giả định: thay đổi nhu cầu, nguồn lực, ca trực rồi lập lại kế hoạch",
                     "en": "What-if: change demand, resources or shifts and re-plan"},
    "run_name": {"vi": "Tên phương án", "en": "Run name"},
    "run_default_name": {"vi": "Phương án {n}", "en": "Run {n}"},
    "district_changes": {"vi": "Theo quận/huyện", "en": "By district"},
    "col_district_code": {"vi": "Mã", "en": "Code"},
    "col_district_name": {"vi": "Quận/huyện", "en": "District"},
    "col_target": {"vi": "Cần thu nhận", "en": "To enroll"},
    "col_demand": {"vi": "Hệ số nhu cầu", "en": "Demand ×"},
    "col_demand_help": {"vi": "Nhân số người cần thu nhận của quận/huyện (1 = giữ nguyên).",
                        "en": "Multiplies the district's people to enroll (1 = unchanged)."},
    "col_mobile_kits": {"vi": "Máy lưu động", "en": "Mobile kits"},
    "col_officers_now": {"vi": "Số cán bộ", "en": "Officers"},
    "col_officers": {"vi": "Hệ số cán bộ", "en": "Officers ×"},
    "col_officers_help": {"vi": "Nhân danh sách cán bộ (bớt hoặc nhân bản cán bộ giả lập, cố định).",
                          "en": "Multiplies the officer list (drops or copies synthetic officers, deterministically)."},
    "col_ward_kits": {"vi": "Máy/trụ sở ±", "en": "Kits per HQ ±"},
    "col_ward_kits_help": {"vi": "Thêm (bớt) máy thu nhận ở mỗi trụ sở công an phường/xã của quận/huyện.",
                           "en": "Kits added (removed) at every ward police HQ of the district."},
    "demand": {"vi": "Nhu cầu", "en": "Demand"},
    "turnout_curve": {"vi": "Dạng đường người dân đến", "en": "Turnout curve"},
    "curve_flat": {"vi": "Đều các ngày", "en": "Flat"},
    "curve_front": {"vi": "Dồn đầu đợt", "en": "Front-loaded"},
    "curve_back": {"vi": "Dồn cuối đợt", "en": "Back-loaded"},
    "curve_wave": {"vi": "Hai đợt (đầu và cuối)", "en": "Wave (start and end)"},
    "peak_day": {"vi": "Ngày cao điểm (0 = ngày đầu)", "en": "Peak day (0 = first day)"},
    "peak_day_help": {"vi": "Ngày 0 là {start}.", "en": "Day 0 is {start}."},
    "show_up": {"vi": "Tỷ lệ đến theo giấy mời (%)", "en": "Invitation show-up (%)"},
    "resources": {"vi": "Nguồn lực", "en": "Resources"},
    "kits_all": {"vi": "Máy mỗi trụ sở phường/xã ± (toàn thành phố)", "en": "Kits per ward HQ ± (whole city)"},
    "kits_all_help": {"vi": "Cộng thêm vào mọi trụ sở; không dưới 0.", "en": "Added at every HQ; never below 0."},
    "city_reserve": {"vi": "Máy lưu động dự trữ thành phố", "en": "City reserve of mobile kits"},
    "rate_walk_in": {"vi": "Năng suất tại trụ sở (người/máy/giờ)", "en": "Throughput at HQ (people per kit-hour)"},
    "rate_institution": {"vi": "Năng suất lưu động (người/máy/giờ)", "en": "Mobile throughput (people per kit-hour)"},
    "objective": {"vi": "Mục tiêu tối ưu", "en": "Objective"},
    "w_enrolled": {"vi": "Trọng số mỗi người được thu nhận", "en": "Weight per person enrolled"},
    "w_equity": {"vi": "Hệ số công bằng giữa phường/xã", "en": "Equity multiplier"},
    "w_equity_help": {"vi": "Nhân mức phạt khi một phường/xã thiếu trên 5% và 10% chỉ tiêu (0 = bỏ).",
                      "en": "Multiplies the cost of a ward's shortfall above 5% and 10% of its target (0 = off)."},
    "w_wait": {"vi": "Trọng số mỗi người phải chờ", "en": "Weight per person waiting"},
    "w_wait_help": {"vi": "Phạt cho mỗi người còn chờ khi hết ca.", "en": "Cost per person still waiting when a shift ends."},
    "time_limit": {"vi": "Giới hạn thời gian mỗi bài toán (giây)", "en": "Time limit per subproblem (s)"},
    "time_limit_help": {"vi": "Áp cho mỗi bài toán quy hoạch tuyến tính của một quận/huyện.",
                        "en": "Applies to each district's linear program."},
    "shifts": {"vi": "Ca làm việc", "en": "Shifts"},
    "shift_start": {"vi": "{name} ({code}) bắt đầu", "en": "{name} ({code}) starts"},
    "shift_end": {"vi": "{name} ({code}) kết thúc", "en": "{name} ({code}) ends"},
    "extra_shift": {"vi": "Thêm ca (tối muộn/đêm)", "en": "Add a shift (late evening/night)"},
    "extra_shift_help": {"vi": "Kết thúc 00:00 nghĩa là nửa đêm.", "en": "An end of 00:00 means midnight."},
    "extra_code": {"vi": "Ký hiệu ca thêm", "en": "Extra shift code"},
    "extra_start": {"vi": "Ca thêm bắt đầu", "en": "Extra shift starts"},
    "extra_end": {"vi": "Ca thêm kết thúc", "en": "Extra shift ends"},
    "extra_pref": {"vi": "Tỷ lệ người dân chọn ca thêm (%)", "en": "Share of walk-ins preferring it (%)"},
    "extra_shift_name_vi": {"vi": "Ca đêm", "en": "Ca đêm"},
    "extra_shift_name_en": {"vi": "Night", "en": "Night"},
    "run_button": {"vi": "Lập lại kế hoạch", "en": "Re-plan"},
    "whatif_error": {"vi": "Giả định không hợp lệ: {error}", "en": "That what-if cannot be applied: {error}"},
    "change_demand": {"vi": "nhu cầu", "en": "demand"},
    "change_mobile_kits": {"vi": "máy lưu động", "en": "mobile kits"},
    "change_city_reserve": {"vi": "dự trữ thành phố", "en": "city reserve"},
    "change_officers": {"vi": "cán bộ", "en": "officers"},
    "change_ward_kits_delta": {"vi": "máy mỗi trụ sở", "en": "kits per HQ"},
    "change_ward_kits_by_district": {"vi": "máy trụ sở theo quận/huyện", "en": "kits per HQ by district"},
    "change_turnout_curve": {"vi": "dạng đường đến", "en": "turnout curve"},
    "change_turnout_peak_day": {"vi": "ngày cao điểm", "en": "peak day"},
    "change_show_up": {"vi": "tỷ lệ đến theo giấy mời", "en": "show-up rate"},
    "change_throughput_walk_in": {"vi": "năng suất tại trụ sở", "en": "HQ throughput"},
    "change_throughput_institution": {"vi": "năng suất lưu động", "en": "mobile throughput"},
    "change_shift_hours": {"vi": "giờ ca", "en": "shift hours"},
    "change_extra_shift": {"vi": "ca thêm", "en": "extra shift"},
    "change_weight_enrolled": {"vi": "trọng số thu nhận", "en": "enrolled weight"},
    "change_equity": {"vi": "công bằng", "en": "equity"},
    "change_weight_wait": {"vi": "trọng số chờ", "en": "wait weight"},
    "change_follow_up_after_days": {"vi": "số ngày trước khi mời lại", "en": "days before a follow-up"},
    "change_follow_up_show_up": {"vi": "tỷ lệ đến khi được mời lại", "en": "follow-up show-up rate"},
    "change_calls_per_group_day": {"vi": "lượt vận động mỗi tổ một ngày", "en": "calls per group a day"},
    "change_working_groups": {"vi": "hệ số tổ công tác", "en": "working groups ×"},
    "change_working_groups_by_district": {"vi": "tổ công tác theo quận/huyện", "en": "working groups by district"},
    "follow_up": {"vi": "Mời lại người vắng mặt (tổ công tác đến từng nhà)",
                  "en": "Follow-up of no-shows (working groups door to door)"},
    "follow_up_days": {"vi": "Số ngày sau lịch hẹn thì mời lại", "en": "Days after the slot before a follow-up"},
    "follow_up_days_help": {"vi": "Người không đến theo giấy mời được tổ công tác vận động lại sau số ngày này.",
                            "en": "A letter's no-show can be called on again by a working group after this many days."},
    "follow_up_show_up": {"vi": "Tỷ lệ đến khi được mời lại (%)", "en": "Follow-up show-up (%)"},
    "calls_per_group": {"vi": "Lượt vận động mỗi tổ một ngày", "en": "Calls per working group a day"},
    "calls_per_group_help": {"vi": "Số người vắng mặt một tổ công tác đến tận nhà vận động trong một ngày (0 = không vận động).",
                             "en": "No-shows one working group calls on door to door in a day (0 = no calls)."},
    "groups_all": {"vi": "Hệ số tổ công tác (mọi phường/xã)", "en": "Working groups × (every ward)"},
    "groups_all_help": {"vi": "Nhân số tổ công tác của mỗi phường/xã (làm tròn); kịch bản có {groups} tổ. Các quận/huyện có số tổ mỗi phường/xã trong bảng trên giữ số đó.",
                        "en": "Multiplies every ward's working groups (rounded); the scenario has {groups} groups. Districts given groups per ward in the table above keep that number."},
    "col_groups_now": {"vi": "Số tổ công tác", "en": "Working groups"},
    "col_working_groups": {"vi": "Tổ/phường", "en": "Groups per ward"},
    "col_working_groups_help": {"vi": "Đặt số tổ công tác ở mỗi phường/xã của quận/huyện (để trống = giữ nguyên).",
                                "en": "Sets the working groups at every ward of the district (blank = unchanged)."},
    # tabs
    "tab_results": {"vi": "Kết quả", "en": "Result"},
    "tab_bottlenecks": {"vi": "Điểm nghẽn", "en": "Bottlenecks"},
    "tab_rosters": {"vi": "Lịch trực", "en": "Rosters"},
    "tab_compare": {"vi": "So sánh", "en": "Compare"},
    "tab_downloads": {"vi": "Tải về", "en": "Downloads"},
    # headline
    "m_enrolled": {"vi": "Thu nhận đến hạn chót", "en": "Enrolled by the deadline"},
    "m_enrolled_help": {"vi": "Số người được thu nhận hồ sơ đến hết ngày {deadline}.",
                        "en": "People enrolled by the end of {deadline}."},
    "of_target": {"vi": "trên {target} người", "en": "of {target} people"},
    "m_coverage": {"vi": "Tỷ lệ hoàn thành", "en": "Coverage"},
    "baseline_is": {"vi": "kế hoạch bảng tính: {value}", "en": "spreadsheet baseline: {value}"},
    "m_bound": {"vi": "Tối đa có thể đạt", "en": "Proven bound"},
    "m_bound_help": {"vi": "Cận trên đã chứng minh: không kế hoạch nào với cùng nguồn lực thu nhận được nhiều hơn số này.",
                     "en": "Proven bound: no plan with the same resources can enroll more than this."},
    "gap_is": {"vi": "khoảng cách {gap}", "en": "gap {gap}"},
    "m_gain": {"vi": "Hơn kế hoạch bảng tính", "en": "Gain over the spreadsheet baseline"},
    "m_gain_help": {"vi": "Người thu nhận thêm so với kế hoạch một cán bộ giỏi lập bằng bảng tính: cùng nguồn lực và quy tắc, máy và cán bộ chia theo số người còn lại, máy lưu động tới cơ quan khi còn danh sách, giấy mời rải đều.",
                    "en": "People enrolled beyond what a competent planner does with a spreadsheet: the same resources and rules, kits and officers spread by backlog, mobile kits to institutions while their lists last, letters spread evenly."},
    "baseline_people": {"vi": "kế hoạch bảng tính: {value} người", "en": "spreadsheet baseline: {value} people"},
    "m_day_reach": {"vi": "Ngày đạt {level}%", "en": "Day {level}% is reached"},
    "not_reached": {"vi": "Không đạt", "en": "Not reached"},
    "days_earlier": {"vi": "sớm hơn {n} ngày so với kế hoạch bảng tính", "en": "{n} days before the spreadsheet baseline"},
    "same_day": {"vi": "cùng ngày với kế hoạch bảng tính", "en": "same day as the spreadsheet baseline"},
    "baseline_never": {"vi": "kế hoạch bảng tính: không đạt", "en": "spreadsheet baseline: never"},
    "baseline_reach": {"vi": "kế hoạch bảng tính: {date}", "en": "spreadsheet baseline: {date}"},
    "run_caption": {"vi": "Trạng thái: {status} · có kết quả sau {seconds} (lời giải mất {solve}) · {officer_shifts} lượt ca cán bộ",
                    "en": "Status: {status} · result after {seconds} (the solve took {solve}) · {officer_shifts} officer-shifts"},
    "from_store": {"vi": "0 s (đã lưu sẵn)", "en": "0 s (stored)"},
    "solver_messages": {"vi": "Thông báo của bộ giải", "en": "Solver messages"},
    # coverage and charts
    "coverage_title": {"vi": "Tiến độ hoàn thành theo ngày", "en": "Coverage over the campaign"},
    "choose_districts": {"vi": "Chọn quận/huyện", "en": "Choose districts"},
    "districts_shown": {"vi": "Thêm quận/huyện vào biểu đồ", "en": "Add districts to the chart"},
    "band_running": {"vi": "Đang mô phỏng {runs} lần (lượng dân đến, tỷ lệ đến theo giấy mời, máy hỏng ngẫu nhiên) "
                           "để vẽ vùng bất định…",
                     "en": "Simulating {runs} runs (random turnout, no-shows, kit breakdowns) for the uncertainty band…"},
    "band_caption": {"vi": "Vùng mờ: P10–P90 của {runs} lần mô phỏng (lượng dân đến, tỷ lệ đến theo giấy mời, máy hỏng). "
                           "Đến {date}: P10 {p10}, trung vị {p50}, P90 {p90}. Đường liền là dự tính tất định của kế hoạch "
                           "(mọi người đến đúng như dự kiến, {projection}); đường chấm là trung vị mô phỏng.",
                     "en": "Band: P10–P90 of {runs} simulations (turnout, no-shows, breakdowns). "
                           "By {date}: P10 {p10}, median {p50}, P90 {p90}. The solid line is the plan's deterministic "
                           "projection (everyone arrives as expected, {projection}); the dotted line is the simulated median."},
    "backlog_title": {"vi": "Số người còn chưa thu nhận", "en": "Backlog: people not yet enrolled"},
    "city": {"vi": "Toàn thành phố", "en": "Whole city"},
    "area": {"vi": "Khu vực", "en": "Area"},
    "variant": {"vi": "Cách lập", "en": "Plan"},
    "variant_plan": {"vi": "Kế hoạch tối ưu (dự tính tất định)", "en": "Optimized plan (deterministic projection)"},
    "variant_median": {"vi": "Kế hoạch tối ưu: trung vị mô phỏng (P50)", "en": "Optimized plan: simulated median (P50)"},
    "variant_baseline": {"vi": "Kế hoạch bảng tính", "en": "Spreadsheet baseline"},
    "coverage": {"vi": "Tỷ lệ hoàn thành", "en": "Coverage"},
    "enrolled": {"vi": "Đã thu nhận", "en": "Enrolled"},
    "target": {"vi": "Cần thu nhận", "en": "To enroll"},
    "target_line": {"vi": "Mục tiêu 100%", "en": "Target 100%"},
    "deadline": {"vi": "Hạn chót", "en": "Deadline"},
    "date": {"vi": "Ngày", "en": "Date"},
    "backlog": {"vi": "Còn chưa thu nhận (người)", "en": "Not yet enrolled (people)"},
    "map_title": {"vi": "Bản đồ quận/huyện theo tỷ lệ hoàn thành", "en": "Districts by coverage"},
    "latitude": {"vi": "Vĩ độ", "en": "Latitude"},
    "longitude": {"vi": "Kinh độ", "en": "Longitude"},
    "districts_title": {"vi": "Kết quả theo quận/huyện", "en": "By district"},
    "col_enrolled": {"vi": "Đã thu nhận", "en": "Enrolled"},
    "col_coverage": {"vi": "Tỷ lệ", "en": "Coverage"},
    "col_baseline_coverage": {"vi": "Tỷ lệ (kế hoạch bảng tính)", "en": "Coverage (spreadsheet baseline)"},
    "baseline_coverage": {"vi": "Tỷ lệ theo kế hoạch bảng tính", "en": "Coverage, spreadsheet baseline"},
    "heatmap_title": {"vi": "Từng phường/xã theo ngày", "en": "Each ward, day by day"},
    "heat_metric": {"vi": "Chỉ số", "en": "Measure"},
    "metric_queue": {"vi": "Hàng chờ cuối ca dài nhất (người)", "en": "Longest queue at a shift's end (people)"},
    "metric_utilisation": {"vi": "Công suất máy tại trụ sở", "en": "HQ kit utilisation"},
    "metric_served": {"vi": "Thu nhận trong ngày (người)", "en": "Enrolled that day (people)"},
    "district": {"vi": "Quận/huyện", "en": "District"},
    "ward": {"vi": "Phường/xã", "en": "Ward"},
    "officer": {"vi": "Cán bộ", "en": "Officer"},
    "people": {"vi": "Số người", "en": "People"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    # bottlenecks
    "bottleneck_title": {"vi": "Thêm một đơn vị nguồn lực ở đâu có lợi nhất", "en": "Where one more unit helps most"},
    "bottleneck_help": {"vi": "Số người thu nhận thêm (theo giá đối ngẫu của mô hình) nếu có thêm một ca máy, "
                              "một ca cán bộ hoặc một ca tối, và ở đâu.",
                        "en": "People gained (model prices) from one more kit-shift, officer-shift or evening "
                              "kit-shift, and where."},
    "bottleneck_top": {"vi": "Nghẽn nhất: {district} — {what} thêm khoảng {gain} người.",
                       "en": "Tightest: {district} — {what} adds about {gain} people."},
    "one_more_kit": {"vi": "một ca máy thu nhận", "en": "one more kit-shift"},
    "one_more_officer": {"vi": "một ca cán bộ", "en": "one more officer-shift"},
    "one_more_evening": {"vi": "một ca tối", "en": "one more evening kit-shift"},
    "col_shortfall": {"vi": "Còn thiếu (người)", "en": "Shortfall (people)"},
    "col_per_kit_shift": {"vi": "+1 ca máy", "en": "+1 kit-shift"},
    "col_kit_where": {"vi": "Ca máy ở đâu", "en": "Kit-shift where"},
    "col_per_officer_shift": {"vi": "+1 ca cán bộ", "en": "+1 officer-shift"},
    "col_officer_where": {"vi": "Ca cán bộ khi nào", "en": "Officer-shift when"},
    "col_per_evening_shift": {"vi": "+1 ca tối", "en": "+1 evening shift"},
    "col_evening_where": {"vi": "Ca tối ở đâu", "en": "Evening shift where"},
    "why_title": {"vi": "Vì sao một phường/xã chưa đạt", "en": "Why a ward falls short"},
    "why_ward": {"vi": "Chọn phường/xã (thấp nhất trước)", "en": "Ward (lowest coverage first)"},
    "ward_option": {"vi": "{ward} · {district} · {coverage}", "en": "{ward} · {district} · {coverage}"},
    "why_text": {"vi": "**{ward}** còn thiếu **{shortfall}** trên {target} người (đạt {coverage}). "
                       "Giới hạn chính: **{limit}**.",
                 "en": "**{ward}** is **{shortfall}** short of {target} people ({coverage} covered). "
                       "Main limit: **{limit}**."},
    "why_none": {"vi": "{ward} đạt đủ chỉ tiêu.", "en": "{ward} reaches its whole target."},
    "limit_kits": {"vi": "thiếu máy (máy đã mở hết khi có hàng chờ)", "en": "kits (all open while people queue)"},
    "limit_officers": {"vi": "thiếu cán bộ (còn máy chưa mở khi có hàng chờ)", "en": "officers (kits idle while people queue)"},
    "limit_home_visit_teams": {"vi": "thiếu tổ thu nhận tại nhà", "en": "home-visit teams"},
    "limit_mobile_kits": {"vi": "thiếu máy lưu động", "en": "mobile kits"},
    "limit_turnout_invitations": {"vi": "người dân chưa đến (cần giấy mời, vận động)",
                                  "en": "people did not come (turnout, invitations)"},
    "limit_none": {"vi": "không có", "en": "none"},
    "part_waiting_or_gave_up": {"vi": "Đang chờ hoặc đã bỏ về", "en": "Waiting or gave up"},
    "part_homebound_left": {"vi": "Người không đi lại được chưa được đến tận nhà", "en": "Homebound not visited"},
    "part_institution_left": {"vi": "Trường học, doanh nghiệp chưa được lưu động đến", "en": "Institutions not reached"},
    "part_not_arrived": {"vi": "Chưa đến (không tự đến, chưa mời hoặc không đến)", "en": "Did not come"},
    # rosters
    "roster_title": {"vi": "Lịch trực cán bộ", "en": "Officer rosters"},
    "roster_on_demand": {"vi": "Lịch trực được lập khi cần (mất thêm thời gian). Bấm nút để lập cho phương án này.",
                         "en": "Rosters are computed on demand (it takes longer). Press the button to make them for this run."},
    "make_roster": {"vi": "Lập lịch trực", "en": "Make rosters"},
    "roster_job": {"vi": "Lịch trực cho {name}", "en": "Rosters for {name}"},
    "roster_unavailable": {"vi": "Chưa lập được lịch trực: mô-đun lịch trực chưa có trong bản này ({error}).",
                           "en": "Rosters are not available yet: the roster module is missing ({error})."},
    "roster_by": {"vi": "Xem theo", "en": "View by"},
    "by_district": {"vi": "Quận/huyện", "en": "District"},
    "by_ward": {"vi": "Phường/xã", "en": "Ward"},
    "by_officer": {"vi": "Cán bộ", "en": "Officer"},
    "col_officer_id": {"vi": "Mã cán bộ", "en": "Officer ID"},
    "col_display_name": {"vi": "Họ và tên", "en": "Name"},
    "col_home_unit": {"vi": "Đơn vị", "en": "Home unit"},
    "col_roles": {"vi": "Nhiệm vụ", "en": "Roles"},
    "col_shifts": {"vi": "Số ca", "en": "Shifts"},
    "col_hours": {"vi": "Số giờ", "en": "Hours"},
    "district_reserve": {"vi": "Dự bị quận/huyện", "en": "District reserve"},
    "shift_key": {"vi": "Ký hiệu ca: {codes}", "en": "Shift key: {codes}"},
    "unstaffed": {"vi": "{n} vị trí trong ca không xếp được người; {closed} ca-máy đã đóng vì thế (như summary.json).",
                  "en": "{n} crew slot(s) could not be staffed; {closed} kit-shift(s) were closed for it (as in summary.json)."},
    "role_operator": {"vi": "Vận hành máy", "en": "Kit operator"},
    "role_verifier": {"vi": "Tiếp nhận, xác minh", "en": "Receptionist/verifier"},
    "role_driver": {"vi": "Lái xe", "en": "Driver"},
    "role_home_visit": {"vi": "Thu nhận tại nhà", "en": "Home visit"},
    # compare
    "compare_title": {"vi": "So sánh hai phương án", "en": "Compare two runs"},
    "compare_need_two": {"vi": "Cần ít nhất hai phương án: dùng mục Giả định để tạo thêm.",
                         "en": "You need two runs: make another with the what-if form."},
    "run_a": {"vi": "Phương án A", "en": "Run A"},
    "run_b": {"vi": "Phương án B", "en": "Run B"},
    "run": {"vi": "Phương án", "en": "Run"},
    "col_kpi": {"vi": "Chỉ số", "en": "Measure"},
    "col_difference": {"vi": "Chênh lệch (B − A)", "en": "Difference (B − A)"},
    "kpi_target": {"vi": "Cần thu nhận", "en": "To enroll"},
    "kpi_enrolled": {"vi": "Thu nhận đến hạn chót", "en": "Enrolled by the deadline"},
    "kpi_coverage": {"vi": "Tỷ lệ hoàn thành", "en": "Coverage"},
    "kpi_max_enrollable": {"vi": "Tối đa có thể đạt", "en": "Proven bound"},
    "kpi_gap": {"vi": "Khoảng cách mục tiêu", "en": "Objective gap"},
    "kpi_baseline_enrolled": {"vi": "Thu nhận theo kế hoạch bảng tính", "en": "Enrolled, spreadsheet baseline"},
    "kpi_gain": {"vi": "Hơn kế hoạch bảng tính", "en": "Gain over the spreadsheet baseline"},
    "kpi_day_80": {"vi": "Ngày thứ mấy đạt 80%", "en": "Campaign day reaching 80%"},
    "kpi_day_90": {"vi": "Ngày thứ mấy đạt 90%", "en": "Campaign day reaching 90%"},
    "kpi_day_95": {"vi": "Ngày thứ mấy đạt 95%", "en": "Campaign day reaching 95%"},
    "kpi_day_100": {"vi": "Ngày thứ mấy đạt 100%", "en": "Campaign day reaching 100%"},
    "kpi_officer_shifts": {"vi": "Lượt ca cán bộ", "en": "Officer-shifts"},
    "district_deltas": {"vi": "Chênh lệch theo quận/huyện (B − A, người thu nhận)",
                        "en": "Change by district (B − A, people enrolled)"},
    "enrolled_delta": {"vi": "Chênh lệch người thu nhận", "en": "Change in people enrolled"},
    "coverage_delta": {"vi": "Chênh lệch tỷ lệ", "en": "Change in coverage"},
    "more": {"vi": "Nhiều hơn", "en": "More"},
    "fewer": {"vi": "Ít hơn", "en": "Fewer"},
    # downloads
    "downloads_title": {"vi": "Tải kết quả của phương án đang xem", "en": "Download the run shown"},
    "dl_plan": {"vi": "Kế hoạch chi tiết (plan.csv)", "en": "Detailed plan (plan.csv)"},
    "dl_deployment": {"vi": "Bảng bố trí máy theo phường/xã (deployment.csv)", "en": "Deployment by ward (deployment.csv)"},
    "dl_summary": {"vi": "Tóm tắt (summary.json)", "en": "Summary (summary.json)"},
    "dl_roster": {"vi": "Lịch trực (roster.csv)", "en": "Roster (roster.csv)"},
    "dl_workbooks": {"vi": "Lịch trực Excel theo quận/huyện (.zip)", "en": "District roster workbooks (.zip)"},
    "dl_calendars": {"vi": "Lịch cá nhân cán bộ (.ics, .zip)", "en": "Officers' calendars (.ics, .zip)"},
    "dl_roster_note": {"vi": "Lịch trực chỉ tải được sau khi lập ở thẻ Lịch trực.",
                       "en": "Rosters can be downloaded once made on the Rosters tab."},
    # nightly plan store
    "tab_nightly": {"vi": "Các lần lập kế hoạch hằng đêm", "en": "Nightly runs"},
    "store_path": {"vi": "Kho kế hoạch (tệp SQLite)", "en": "Plan store (SQLite file)"},
    "store_path_help": {"vi": "Tệp --store của lệnh lập kế hoạch hằng đêm; mặc định lấy từ biến môi trường PLANNER_STORE.",
                        "en": "The nightly command's --store file; the default comes from the PLANNER_STORE environment variable."},
    "store_no_path": {"vi": "Hãy nhập đường dẫn tới kho kế hoạch.", "en": "Enter the path of a plan store."},
    "store_missing": {"vi": "Chưa có kho kế hoạch tại {path}.", "en": "There is no plan store at {path}."},
    "store_not_file": {"vi": "{path} là một thư mục, không phải tệp kho kế hoạch.",
                       "en": "{path} is a folder, not a plan store file."},
    "store_not_store": {"vi": "{path} không phải kho kế hoạch (không phải tệp SQLite do lệnh hằng đêm tạo ra).",
                        "en": "{path} is not a plan store (not an SQLite file written by the nightly command)."},
    "store_newer": {"vi": "Kho {path} do phiên bản mới hơn của chương trình tạo ra ({detail}); hãy cập nhật chương trình.",
                    "en": "The store {path} was written by a newer version of the planner ({detail}); update the planner."},
    "store_no_runs": {"vi": "Kho {path} chưa có lần lập kế hoạch nào.", "en": "The store {path} holds no runs yet."},
    "store_outside": {"vi": "{path} nằm ngoài thư mục kho kế hoạch ({detail}); trang chỉ mở kho trong thư mục đó.",
                      "en": "{path} is outside the plan store folder ({detail}); the page only opens stores there."},
    "store_unreadable": {"vi": "Không đọc được kho {path}: {detail}", "en": "The store {path} cannot be read: {detail}"},
    "store_how_to_upload": {"vi": "Kịch bản đang xem được tải lên nên máy chủ không giữ thư mục của nó: "
                                  "giải nén tệp .zip vào thư mục {folder} (hoặc thay bằng đường dẫn thư mục kịch bản) "
                                  "rồi chạy lệnh trên từ thư mục gốc của chương trình.",
                            "en": "The scenario shown was uploaded, so the server keeps no folder of it: unpack the "
                                  "zip into the folder {folder} (or put your scenario folder's path there) and run the "
                                  "command from the program's root folder."},
    "store_how_to": {"vi": "Mỗi đêm, lệnh sau nhận số liệu thu nhận thực tế trong ngày, lập lại kế hoạch cho các ngày còn lại "
                           "và ghi vào kho (tạo kho nếu chưa có):",
                     "en": "Each night this command takes the day's actual enrollments, re-plans the days left and "
                           "records the run in the store (created if missing):"},
    "last_nightly_note": {
        "vi": "Trong lúc chờ: kế hoạch hằng đêm đang áp dụng là lần #{run} (số liệu đến {as_of}, lập lúc {time}, "
              "kịch bản {scenario}; {inputs}). Xem bên dưới.",
        "en": "Meanwhile: the nightly plan in force is run #{run} (actuals up to {as_of}, computed at {time}, "
              "scenario {scenario}; {inputs}). See below."},
    "last_nightly_same": {"vi": "cùng dữ liệu đầu vào với kịch bản đang chọn, nhưng đã tính theo số liệu thực tế",
                          "en": "the same inputs as the scenario at hand, re-planned from the actuals"},
    "last_nightly_other": {"vi": "dữ liệu đầu vào khác với kịch bản đang chọn",
                           "en": "other inputs than the scenario at hand"},
    "nightly_caption": {"vi": "{scenario} · {runs} lần chạy · kế hoạch đang áp dụng: lần #{run} (số liệu đến {as_of})",
                        "en": "{scenario} · {runs} runs · plan in force: run #{run} (actuals up to {as_of})"},
    "nightly_caption_none": {"vi": "{scenario} · {runs} lần chạy · chưa có kế hoạch nào được công bố",
                             "en": "{scenario} · {runs} runs · no plan published yet"},
    "nightly_history_title": {"vi": "Lịch sử các lần chạy (mới nhất trước)", "en": "Run history (newest first)"},
    "nightly_col_run": {"vi": "Lần chạy", "en": "Run"},
    "nightly_col_kind": {"vi": "Loại", "en": "Kind"},
    "nightly_col_status": {"vi": "Trạng thái", "en": "Status"},
    "nightly_col_published": {"vi": "Đã công bố", "en": "Published"},
    "nightly_col_as_of": {"vi": "Số liệu đến ngày", "en": "Actuals up to"},
    "nightly_col_started": {"vi": "Bắt đầu lúc", "en": "Started"},
    "nightly_col_seconds": {"vi": "Thời gian chạy", "en": "Run time"},
    "nightly_col_coverage": {"vi": "Dự kiến hoàn thành", "en": "Projected coverage"},
    "nightly_col_kit_changes": {"vi": "Ca máy thay đổi", "en": "Kit-shifts changed"},
    "nightly_col_officer_changes": {"vi": "Lượt ca cán bộ thay đổi", "en": "Officer-shifts changed"},
    "nightly_col_warnings": {"vi": "Cảnh báo", "en": "Warnings"},
    "nightly_col_message": {"vi": "Ghi chú", "en": "Note"},
    "nightly_kind_initial": {"vi": "Kế hoạch ban đầu", "en": "Initial plan"},
    "nightly_kind_nightly": {"vi": "Lập lại hằng đêm", "en": "Nightly re-plan"},
    "nightly_status_published": {"vi": "đã công bố", "en": "published"},
    "nightly_status_running": {"vi": "đang chạy", "en": "running"},
    "nightly_status_failed": {"vi": "thất bại", "en": "failed"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "nightly_avp_title": {"vi": "Thực tế so với kế hoạch", "en": "Actual versus planned"},
    "nightly_area": {"vi": "Khu vực", "en": "Area"},
    "nightly_avp_caption": {"vi": "Đến {date}: thực tế {actual} người, kế hoạch {planned} người ({difference}). "
                                  "Kế hoạch của mỗi ngày là kế hoạch đang áp dụng đêm hôm trước.",
                            "en": "Up to {date}: {actual} people enrolled against {planned} planned ({difference}). "
                                  "Each day's plan is the plan in force the night before."},
    "nightly_avp_none": {"vi": "Chưa có số liệu thực tế nào được báo cáo.", "en": "No actual enrollments reported yet."},
    "nightly_planned": {"vi": "Kế hoạch", "en": "Planned"},
    "nightly_actual": {"vi": "Thực tế", "en": "Actual"},
    "nightly_planned_cum": {"vi": "Kế hoạch cộng dồn", "en": "Planned, total so far"},
    "nightly_actual_cum": {"vi": "Thực tế cộng dồn", "en": "Actual, total so far"},
    "nightly_col_difference": {"vi": "Chênh lệch (thực tế − kế hoạch)", "en": "Difference (actual − planned)"},
    "nightly_col_reported": {"vi": "Phường/xã đã báo cáo", "en": "Wards reported"},
    "nightly_col_plan_run": {"vi": "Theo kế hoạch lần", "en": "Plan of run"},
    "nightly_people_daily": {"vi": "Thu nhận trong ngày (người)", "en": "Enrolled that day (people)"},
    "nightly_people_cum": {"vi": "Thu nhận cộng dồn (người)", "en": "Enrolled so far (people)"},
    "nightly_series": {"vi": "Số liệu", "en": "Series"},
    "nightly_roster_title": {"vi": "Lịch trực đã công bố mới nhất", "en": "Latest published roster"},
    "nightly_roster_caption": {"vi": "Lần chạy #{run} (số liệu đến {as_of}): {shifts} lượt ca của {officers} cán bộ.",
                               "en": "Run #{run} (actuals up to {as_of}): {shifts} officer-shifts of {officers} officers."},
    "nightly_roster_none": {"vi": "Chưa có lần chạy đã công bố nào kèm lịch trực.",
                            "en": "No published run has a roster yet."},
    "nightly_roster_shown": {"vi": "Đang xem {shifts} lượt ca của {officers} cán bộ.",
                             "en": "Showing {shifts} officer-shifts of {officers} officers."},
    "all_districts": {"vi": "Tất cả quận/huyện", "en": "All districts"},
    "all_wards": {"vi": "Tất cả phường/xã", "en": "All wards"},
    "nightly_col_shift": {"vi": "Ca", "en": "Shift"},
    "dl_nightly_roster": {"vi": "Tải lịch trực đang xem (CSV)", "en": "Download the roster shown (CSV)"},
    # added: uploads, what-if start, provinces, plan versus roster, solver messages
    "upload_tables_replace": {"vi": "Bảng phường/xã hoặc cán bộ tải lên riêng sẽ thay bảng cùng tên trong kịch bản có sẵn "
                                    "đang chọn ({folder}); tệp nén thì thay cả kịch bản.",
                              "en": "Separate wards or officers tables replace those of the bundled scenario chosen "
                                    "({folder}); a zip replaces the whole scenario."},
    "upload_button": {"vi": "Chọn tệp", "en": "Upload"},
    "upload_widget_limit": {"vi": "Tối đa {mb} MB mỗi tệp", "en": "{mb}MB per file"},
    "table_up_wards": {"vi": "bảng phường/xã", "en": "the wards table"},
    "table_up_officers": {"vi": "bảng cán bộ", "en": "the officers table"},
    "upload_replaced": {"vi": "Đã thay {tables} của kịch bản có sẵn {folder}; phần còn lại giữ nguyên.",
                        "en": "Replaced {tables} of the bundled scenario {folder}; the rest is unchanged."},
    "map_no_coordinates": {"vi": "Không vẽ được bản đồ: kịch bản không có toạ độ quận/huyện. Xem bảng bên cạnh.",
                           "en": "No map: the scenario has no district coordinates. See the table beside it."},
    "upload_no_coordinates": {"vi": "{n}/{districts} quận/huyện không có toạ độ (lat, lon): bản đồ bỏ qua các quận/huyện này.",
                              "en": "{n} of {districts} districts have no coordinates (lat, lon): the map leaves them out."},
    "whatif_started": {"vi": "Đang lập phương án {name}; thay đổi: {changes}.",
                       "en": "Planning {name}; changes: {changes}."},
    "whatif_start": {"vi": "Phương án tiếp theo bắt đầu từ", "en": "The next what-if starts from"},
    "whatif_start_last": {"vi": "các thay đổi vừa chạy (cộng dồn)", "en": "the last what-if's edits (stacked)"},
    "whatif_start_base": {"vi": "kế hoạch gốc (xoá thay đổi sau khi chạy)", "en": "the base plan (form cleared after a run)"},
    "whatif_start_help": {"vi": "Mọi giá trị mặc định lấy từ kịch bản đang xem.",
                          "en": "Every default comes from the scenario on screen."},
    "whatif_reset": {"vi": "Về kế hoạch gốc", "en": "Back to the base plan"},
    "one_ward": {"vi": "Thêm/bớt máy tại một phường/xã", "en": "Add or remove kits at one ward"},
    "one_ward_placeholder": {"vi": "Chọn phường/xã (số máy hiện có)", "en": "Choose a ward (kits now)"},
    "one_ward_kits": {"vi": "Máy thêm tại phường/xã đó ±", "en": "Kits added at that ward ±"},
    "one_ward_kits_help": {"vi": "Cộng vào số máy của trụ sở phường/xã đã chọn; không dưới 0.",
                           "en": "Added to the chosen ward HQ's kits; never below 0."},
    "city_reserve_help": {"vi": "Kịch bản này có {kits} máy dự trữ.", "en": "This scenario holds {kits} reserve kits."},
    "change_ward_kits": {"vi": "máy tại một phường/xã", "en": "kits at one ward"},
    "run_other_scenario": {"vi": "Phương án đang xem thuộc kịch bản {run}, không phải kịch bản đang chọn ({scenario}).",
                           "en": "The run shown belongs to {run}, not to the scenario chosen ({scenario})."},
    "city@province": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "kits_all@province": {"vi": "Máy mỗi trụ sở phường/xã ± (toàn tỉnh)", "en": "Kits per ward HQ ± (whole province)"},
    "city_reserve@province": {"vi": "Máy lưu động dự trữ của tỉnh", "en": "Province reserve of mobile kits"},
    "change_city_reserve@province": {"vi": "dự trữ của tỉnh", "en": "province reserve"},
    "progress_reserve@province": {"vi": "Dự trữ của tỉnh: máy {unit}/{total} cho {name} (+{gain} người)",
                                  "en": "Province reserve: kit {unit}/{total} to {name} (+{gain} people)"},
    "progress_reserve_short@province": {"vi": "Dự trữ của tỉnh không đủ: phân từng máy",
                                        "en": "The province reserve is short: lending it kit by kit"},
    "msg_staffing_closed": {"vi": "Lập lịch trực: đóng {n} ca-máy vì thiếu cán bộ ({method}).",
                            "en": "Staffing: {n} kit-shift(s) closed for lack of officers ({method})."},
    "msg_method_closed": {"vi": "đóng các ca-máy không đủ người", "en": "closed the unstaffed kit-shifts"},
    "msg_method_replanned": {"vi": "lập lại theo số cán bộ có thể xếp", "en": "re-planned with the staffing limit"},
    "msg_staffing_empty": {"vi": "Lập lịch trực: còn {n} vị trí trống.", "en": "Staffing: {n} slot(s) still empty."},
    "msg_stopped_early": {"vi": "Dừng sớm: quận/huyện {codes} giữ kế hoạch bảng tính.",
                          "en": "Stopped early: districts {codes} keep the spreadsheet baseline."},
    "msg_no_plan": {"vi": "Không có kế hoạch cho quận/huyện {codes}: giữ kế hoạch bảng tính.",
                    "en": "No plan for districts {codes}: they keep the spreadsheet baseline."},
    "msg_district": {"vi": "Quận/huyện {name}: {text}", "en": "District {name}: {text}"},
    "msg_lp_none": {"vi": "bài toán nới lỏng không tìm được lời giải trong thời hạn",
                    "en": "the LP relaxation found no solution within the time limit"},
    "msg_no_integer": {"vi": "không tìm được kế hoạch nguyên trong giới hạn", "en": "no integer plan found within the limits"},
    "roster_plan_changed": {"vi": "Lịch trực đã thay đổi kế hoạch: {closed} ca-máy bị đóng vì thiếu cán bộ "
                                  "({slots} vị trí không xếp được người). Số liệu trên là kế hoạch sau lịch trực; "
                                  "kế hoạch trước lịch trực: thu nhận {enrolled_before}, khoảng cách {gap_before}.",
                            "en": "The rosters changed the plan: {closed} kit-shift(s) closed for lack of officers "
                                  "({slots} officer slot(s) could not be filled). The numbers above are the rostered "
                                  "plan; before rosters: {enrolled_before} enrolled, gap {gap_before}."},
    "compare_same": {"vi": "Hai phương án đang so sánh cho cùng một kết quả: mọi chênh lệch bằng 0.",
                     "en": "The two runs compared give the same result: every difference is 0."},
    "plan_version": {"vi": "Phiên bản kế hoạch", "en": "Plan version"},
    "plan_version_rostered": {"vi": "Sau lịch trực (đã xếp người)", "en": "Rostered (staffed)"},
    "plan_version_plan": {"vi": "Kế hoạch ban đầu (trước lịch trực)", "en": "Plan (before rosters)"},
}

LIMIT_KEYS = {"kits": "limit_kits", "officers": "limit_officers", "home-visit teams": "limit_home_visit_teams",
              "mobile kits": "limit_mobile_kits", "turnout/invitations": "limit_turnout_invitations",
              "": "limit_none"}


def translate(key: str, lang: str = "vi", **values) -> str:
    """The text for `key` in `lang` ('vi' or 'en'), placeholders filled from `values`."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    text = TEXT[key][lang]
    return text.format(**values) if values else text


_DISTRICT = re.compile(r"^district (\S+): (\w+)(?:, gap ([\d.]+) %)?$")
_START = re.compile(r"^(\d+) districts, (\d+) wards$")
_RESERVE = re.compile(r"^city reserve: kit (\d+)/(\d+) to district (\S+) \(\+([\d,]+)\)$")
_ROSTER = re.compile(r"^roster (\S+): (\w*)$")
_RESTAFF = re.compile(r"^re-planning (\d+) district\(s\) with the staffing the roster found$")


_STAFFING_CLOSED = re.compile(r"^staffing: (\d+) kit-shift\(s\) closed for lack of officers \((.+)\)$")
_STAFFING_EMPTY = re.compile(r"^staffing: (\d+) slot\(s\) still empty$")
_STOPPED = re.compile(r"^stopped early: districts (.+) keep the fair baseline$")
_NO_PLAN = re.compile(r"^no plan for districts (.+): they keep the fair baseline$")
_DISTRICT_MESSAGE = re.compile(r"^district (\S+): (.+)$")
_METHODS = {"closed the unstaffed kit-shifts": "msg_method_closed",
            "re-planned with the staffing limit": "msg_method_replanned"}
_DISTRICT_TEXTS = {"the LP relaxation found no solution within the time limit": "msg_lp_none",
                   "no integer plan found within the limits": "msg_no_integer"}


_PROBLEMS_VI = (
    (re.compile(r"^'(.*)' is not a number$"), "'{0}' không phải là số"),
    (re.compile(r"^'(.*)' is not a whole number$"), "'{0}' không phải là số nguyên"),
    (re.compile(r"^(.*) must be positive$"), "{0} phải lớn hơn 0"),
    (re.compile(r"^(.*) is outside (.*)\.\.(.*)$"), "{0} nằm ngoài khoảng {1}..{2}"),
    (re.compile(r"^(.*) is negative$"), "{0} là số âm"),
    (re.compile(r"^empty value$"), "ô trống"),
    (re.compile(r"^empty table \(no districts\)$"), "bảng trống (không có quận/huyện nào)"),
    (re.compile(r"^unknown district code '(.*)'$"), "không có quận/huyện mã '{0}'"),
    (re.compile(r"^unknown ward code '(.*)'$"), "không có phường/xã mã '{0}'"),
    (re.compile(r"^unknown shift '(.*)'$"), "không có ca '{0}'"),
    (re.compile(r"^unknown officer '(.*)'$"), "không có cán bộ mã '{0}'"),
    (re.compile(r"^duplicate (.*) '(.*)'$"), "trùng {0} '{1}'"),
    (re.compile(r"^bad date '(.*)' \(expected YYYY-MM-DD\)$"), "ngày '{0}' sai dạng (cần YYYY-MM-DD)"),
    (re.compile(r"^eligible (\S+) exceeds population (\S+)$"), "số người đủ điều kiện {0} lớn hơn dân số {1}"),
)


def scenario_error_text(error, lang: str) -> str:
    """A ScenarioError's line (file, row, column, problem) in the page's language; a problem this
    table does not know keeps its English words after the Vietnamese location."""
    if lang == "en":
        return str(error)
    where = []
    if getattr(error, "key", None) is not None:
        where.append(f"khoá {error.key}")
    if getattr(error, "row", None) is not None:
        where.append(f"dòng {error.row}")
    if getattr(error, "column", None) is not None:
        where.append(f"cột {error.column}")
    problem = str(getattr(error, "problem", error))
    for pattern, text in _PROBLEMS_VI:
        if match := pattern.match(problem):
            problem = text.format(*match.groups())
            break
    location = f"{error.file}: " + (", ".join(where) + ": " if where else "")
    return (location + problem).replace("\n", " ")


def _scoped(key: str, scenario) -> str:
    """`key` in a province's words when the scenario is a province (see views.area_kind)."""
    if scenario is None:
        return key
    from .views import area_kind
    scope = area_kind(scenario)
    return f"{key}@{scope}" if f"{key}@{scope}" in TEXT else key


def solver_message_text(message: str, lang: str, scenario=None) -> str:
    """A plan's message (written in English by the solver) in the page's language; a message
    this table does not know is shown as it is."""
    from .formatting import number

    def name(code: str) -> str:
        if scenario is not None and code in scenario.districts.index:
            return str(scenario.districts.at[code, "district_name"])
        return code

    if match := _STAFFING_CLOSED.match(message):
        method = match.group(2)
        return translate("msg_staffing_closed", lang, n=number(int(match.group(1)), lang),
                         method=translate(_METHODS[method], lang) if method in _METHODS else method)
    if match := _STAFFING_EMPTY.match(message):
        return translate("msg_staffing_empty", lang, n=number(int(match.group(1)), lang))
    if match := _STOPPED.match(message):
        return translate("msg_stopped_early", lang, codes=", ".join(name(c.strip()) for c in match.group(1).split(",")))
    if match := _NO_PLAN.match(message):
        return translate("msg_no_plan", lang, codes=", ".join(name(c.strip()) for c in match.group(1).split(",")))
    if match := _DISTRICT_MESSAGE.match(message):
        code, text = match.groups()
        return translate("msg_district", lang, name=name(code),
                         text=translate(_DISTRICT_TEXTS[text], lang) if text in _DISTRICT_TEXTS else text)
    return message


def progress_text(message: str, lang: str, scenario=None) -> str:
    """A solver progress message in the page's language (unknown messages as they are)."""
    from .formatting import number, percent

    def name(code: str) -> str:
        if scenario is not None and code in scenario.districts.index:
            return str(scenario.districts.at[code, "district_name"])
        return code

    if not message:
        return ""
    if match := _DISTRICT.match(message):
        code, status, gap = match.groups()
        status_key = f"status_{status}"
        gap_text = translate("progress_gap", lang, gap=percent(float(gap) / 100, lang, 2)) if gap else ""
        return translate("progress_district", lang, name=name(code),
                         status=translate(status_key, lang) if status_key in TEXT else status, gap=gap_text)
    if match := _START.match(message):
        return translate("progress_start", lang, districts=match.group(1), wards=number(int(match.group(2)), lang))
    if match := _RESERVE.match(message):
        unit, total, code, gain = match.groups()
        return translate(_scoped("progress_reserve", scenario), lang, unit=unit, total=total, name=name(code),
                         gain=number(int(gain.replace(",", "")), lang))
    if match := _ROSTER.match(message):
        code, status = match.groups()
        status_key = f"status_{status}"
        return translate("progress_roster", lang, name=name(code),
                         status=translate(status_key, lang) if status_key in TEXT else status)
    if match := _RESTAFF.match(message):
        return translate("progress_restaff", lang, n=match.group(1))
    if message == "the city reserve is short: lending it kit by kit":
        return translate(_scoped("progress_reserve_short", scenario), lang)
    return message
